"""User configuration: ``docreview.toml`` or ``[tool.docreview]`` in pyproject.toml.

Discovered upward from the current directory; ``--config FILE`` overrides discovery.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from docreview.errors import E_CONFIG, DocreviewError


class Config(BaseModel):
    """Effective configuration. Every field has a safe default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["normative", "rule"] = "normative"
    enable: list[str] = Field(default_factory=list, description="only these rule ids (empty: all)")
    disable: list[str] = Field(default_factory=list, description="rule ids switched off")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    rules: list[str] = Field(default_factory=list, description="extra rule folders")
    reviewer: str = Field(default="司法局", description="reviewing body named in the opinion")
    profile: str = Field(default="default", description="filing profile name")
    holidays: str | None = Field(default=None, description="YAML holiday file for unknown years")
    fail_on: Literal["error", "warning", "info", "never"] = "error"
    source: str = Field(default="", description="where this config came from (informational)")


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DocreviewError(E_CONFIG, str(path), f"配置文件不是有效的 TOML：{exc}") from None
    except OSError as exc:
        raise DocreviewError(E_CONFIG, str(path), f"无法读取配置文件：{exc.strerror}") from None


def _build(data: dict, source: Path) -> Config:
    try:
        cfg = Config(**data, source=str(source))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise DocreviewError(E_CONFIG, str(source), f"配置项 {key} 无效：{err['msg']}") from None
    # relative rule folders / holiday files are relative to the config file
    base = source.parent
    rules = [str((base / r).resolve()) if not Path(r).is_absolute() else r for r in cfg.rules]
    hol = cfg.holidays
    if hol and not Path(hol).is_absolute():
        hol = str((base / hol).resolve())
    return cfg.model_copy(update={"rules": rules, "holidays": hol})


def discover(start: Path | None = None) -> Path | None:
    """The nearest docreview.toml, or pyproject.toml with [tool.docreview], upward from ``start``."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        cand = d / "docreview.toml"
        if cand.is_file():
            return cand
        py = d / "pyproject.toml"
        if py.is_file() and _mentions_docreview(py) and "docreview" in _read_toml(py).get("tool", {}):
            return py
    return None


def _mentions_docreview(py: Path) -> bool:
    """Cheap pre-check so an unrelated (even broken) pyproject.toml never stops discovery."""
    try:
        return "docreview" in py.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load_config(path: str | Path | None = None, start: Path | None = None) -> Config:
    """Load ``path`` if given, else the discovered file, else defaults."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise DocreviewError(E_CONFIG, str(p), "配置文件不存在")
    else:
        p = discover(start)
        if p is None:
            return Config()
    data = _read_toml(p)
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("docreview", {})
    return _build(data, p)


# --------------------------------------------------------------------------- config show


def _toml_value(v: object) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        inner = ", ".join(f"{_toml_value(str(k))} = {_toml_value(x)}" for k, x in v.items())
        return "{ " + inner + " }" if inner else "{}"
    return str(v)


KEY_ZH: dict[str, str] = {
    "kind": "文件类型：normative 行政规范性文件 / rule 地方政府规章",
    "enable": "只启用这些规则（空：全部）",
    "disable": "停用的规则",
    "severity": "按规则改写级别",
    "rules": "额外规则目录",
    "reviewer": "意见书落款的审核机关",
    "profile": "备案期限配置",
    "holidays": "补充节假日文件（YAML）",
    "fail_on": "达到此级别即以退出码 1 结束：error / warning / info / never",
}


def render_config(cfg: Config, fmt: str = "toml") -> str:
    """The effective config as TOML (usable as docreview.toml) or JSON, with its source."""
    import json

    data = cfg.model_dump(exclude={"source"})
    if fmt == "json":
        return json.dumps({"source": cfg.source or None, "config": data}, ensure_ascii=False, indent=2)
    if fmt != "toml":
        from docreview.errors import E_USAGE

        raise DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}（可选：toml、json）")
    defaults = Config().model_dump(exclude={"source"})
    src = cfg.source or "默认值（未找到 docreview.toml 或含 [tool.docreview] 的 pyproject.toml）"
    lines = ["# docreview 生效配置", f"# 来源：{src}"]
    for key, value in data.items():
        note = "默认" if value == defaults[key] else ""
        comment = "；".join(x for x in (note, KEY_ZH.get(key, "")) if x)
        if value is None:
            lines.append(f"# {key} = （未设置）  {comment}")
            continue
        lines.append(f"{key} = {_toml_value(value)}" + (f"  # {comment}" if comment else ""))
    return "\n".join(lines)
