"""Rules as data: YAML schema, loader, regex guard. See ``load_rulebook``."""

from __future__ import annotations

from docreview.rulebook.loader import Rulebook, load_rule_file, load_rulebook, shipped_dir
from docreview.rulebook.schema import SCHEMA_VERSION, Rule

__all__ = ["SCHEMA_VERSION", "Rule", "Rulebook", "load_rule_file", "load_rulebook", "shipped_dir"]
