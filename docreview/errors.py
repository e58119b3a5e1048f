"""Coded user-facing errors. Each prints as one Chinese line: ``E102 draft.docx: 文件已加密，无法读取``.

Code ranges: E1xx input files, E2xx rules, E3xx config/usage, E4xx dates and filing data, E5xx batch,
E6xx evaluation clause set.
"""

from __future__ import annotations


class DocreviewError(Exception):
    """An expected failure caused by the user's input; the CLI prints ``str(err)`` and exits 2."""

    def __init__(self, code: str, where: str, message: str) -> None:
        super().__init__(f"{code} {where}: {message}" if where else f"{code} {message}")
        self.code = code
        self.where = where
        self.message = message


# Input files (ingest)
E_MISSING = "E100"  # 文件不存在
E_IS_DIR = "E101"  # 是目录，不是文件
E_ENCRYPTED = "E102"  # 文件已加密
E_NOT_ZIP = "E103"  # 不是有效的 .docx（不是 zip 包）
E_CORRUPT = "E104"  # zip 损坏/截断，或缺少 word/document.xml
E_LEGACY = "E105"  # .doc / .wps 旧格式
E_EMPTY = "E106"  # 文档没有正文
E_ZIP_BOMB = "E107"  # 解压后超出上限
E_XML_UNSAFE = "E108"  # DTD / 实体扩展
E_TOO_LARGE = "E109"  # 文件超过大小上限
E_UNDECODABLE = "E110"  # 无法识别文本编码
E_UNSUPPORTED = "E111"  # 不支持的文件类型
E_XML_INVALID = "E112"  # XML 解析失败
E_TIMEOUT = "E113"  # 单个文件处理超时

# Rules
E_RULE_YAML = "E200"  # YAML 语法错误
E_RULE_SCHEMA = "E201"  # 规则字段不合规
E_RULE_REGEX = "E202"  # 正则无法编译或可能灾难性回溯
E_RULE_DUP = "E203"  # 规则编号重复
E_RULE_UNKNOWN = "E204"  # 未知规则编号
E_RULE_DIR = "E205"  # 规则目录不存在

# Config / usage
E_CONFIG = "E300"  # 配置文件错误
E_USAGE = "E301"  # 参数错误
E_BASELINE = "E302"  # 基线文件错误
E_OUTPUT = "E303"  # 无法写出输出文件

# Dates and filing
E_DATE = "E400"  # 日期无效
E_FILING = "E401"  # 备案数据矛盾（如报送日期早于公布日期）
E_HOLIDAYS = "E402"  # 节假日文件错误
E_LEDGER = "E403"  # 台账文件错误

# Batch
E_BATCH = "E500"  # 批处理错误
E_WORKER = "E501"  # 工作进程崩溃

# Evaluation clause set (docreview eval)
E_EVAL = "E600"  # 评测语料文件错误（YAML、字段、重复 id）
