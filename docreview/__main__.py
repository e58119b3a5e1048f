from docreview.cli import main

main()
