"""Overnight cleanup batch: many documents, a process pool, a resumable SQLite store, 台账 and reports.

Import the submodules directly (``docreview.batch.run``); this package imports nothing heavy.
"""
