"""Filing profiles (data in ``docreview/data/filing_profiles.yml``): recipients, periods, validity limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from docreview.errors import E_CONFIG, E_USAGE, DocreviewError

PROFILES_FILE = Path(__file__).resolve().parent.parent / "data" / "filing_profiles.yml"
StartEvent = Literal["published", "signed"]
START_ZH = {"published": "公布", "signed": "印发"}


@dataclass(frozen=True, slots=True)
class RecipientRule:
    """One filing recipient: ``amount`` ``unit`` counted from the ``start`` event."""

    name: str
    amount: int
    unit: Literal["day", "workday", "month"]
    basis: str
    start: StartEvent = "published"
    aliases: tuple[str, ...] = ()

    @property
    def period_zh(self) -> str:
        from docreview.filing.periods import UNIT_ZH

        return f"{START_ZH[self.start]}之日起{self.amount}{UNIT_ZH[self.unit]}内"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    recipients: tuple[RecipientRule, ...]
    max_years: int = 5
    provisional_max_years: int = 2
    expiring_months: int = 6

    def recipient(self, name: str) -> RecipientRule | None:
        """The recipient called ``name`` or one of its aliases."""
        key = name.strip()
        for r in self.recipients:
            if key == r.name or key in r.aliases:
                return r
        return None


def _squeeze(text: str) -> str:
    """Join folded YAML lines: drop whitespace between two non-ASCII (Chinese) characters."""
    text = " ".join(text.split())
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def _schema():
    from pydantic import BaseModel, ConfigDict, Field

    class RecipientModel(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str = Field(min_length=1)
        aliases: list[str] = Field(default_factory=list)
        amount: int = Field(ge=1, le=3650)
        unit: Literal["day", "workday", "month"] = "day"
        start: StartEvent | None = None
        basis: str = Field(min_length=1)

    class ValidityModel(BaseModel):
        model_config = ConfigDict(extra="forbid")
        max_years: int = Field(default=5, ge=1, le=100)
        provisional_max_years: int = Field(default=2, ge=1, le=100)
        expiring_months: int = Field(default=6, ge=0, le=60)

    class ProfileModel(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str = ""
        start: StartEvent = "published"
        recipients: list[RecipientModel] = Field(min_length=1)
        validity: ValidityModel = Field(default_factory=ValidityModel)

    return ProfileModel


def load_profiles(path: str | Path | None = None) -> dict[str, Profile]:
    """All profiles in ``path`` (default: the packaged file), by name. A bad file → E300."""
    import yaml
    from pydantic import ValidationError

    p = Path(path) if path else PROFILES_FILE
    where = str(p)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DocreviewError(E_CONFIG, where, f"无法读取备案配置文件：{exc.strerror}") from None
    except yaml.YAMLError:
        raise DocreviewError(E_CONFIG, where, "备案配置文件不是有效的 YAML") from None
    if not isinstance(data, dict) or not data:
        raise DocreviewError(E_CONFIG, where, "备案配置文件应为 名称: 配置 的映射")
    model = _schema()
    out: dict[str, Profile] = {}
    for name, raw in data.items():
        try:
            m = model.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise DocreviewError(E_CONFIG, where, f"备案配置 {name} 的 {loc} 无效：{err['msg']}") from None
        recips = tuple(
            RecipientRule(
                name=r.name, amount=r.amount, unit=r.unit, basis=_squeeze(r.basis),
                start=r.start or m.start, aliases=tuple(r.aliases),
            )
            for r in m.recipients
        )
        if len({r.name for r in recips}) != len(recips):
            raise DocreviewError(E_CONFIG, where, f"备案配置 {name} 的接收机关重名")
        out[str(name)] = Profile(
            name=str(name), title=m.title, recipients=recips, max_years=m.validity.max_years,
            provisional_max_years=m.validity.provisional_max_years,
            expiring_months=m.validity.expiring_months,
        )
    return out


def get_profile(name: str | None = None, path: str | Path | None = None) -> Profile:
    """The profile called ``name`` (default ``default``); unknown name → E301 listing the choices.

    ``name`` may also be a local profiles file: ``local.yml`` (its only profile) or ``local.yml#county``.
    """
    key = name or "default"
    file, _, sub = key.partition("#")
    if path is None and file.lower().endswith((".yml", ".yaml")):
        if not Path(file).is_file():
            raise DocreviewError(E_USAGE, file, "备案配置文件不存在")
        path, key = file, sub
        if not key:
            profiles = load_profiles(path)
            if len(profiles) != 1:
                raise DocreviewError(
                    E_USAGE, file, f"文件含多个备案配置，请写成 {file}#名称（可选：{'、'.join(profiles)}）"
                )
            return next(iter(profiles.values()))
    profiles = load_profiles(path)
    if key not in profiles:
        raise DocreviewError(
            E_USAGE, "--profile", f"未知的备案配置 {key}（可选：{'、'.join(profiles)}）"
        )
    return profiles[key]
