"""The plain records statistics are computed from: one per patch, referral and case. Pure.

A storage query (``storage/stats_records.py``) fills them from the store; the aggregations in
this package never see a session. Areas are m²; ``None`` means "not filed / not computed", never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FILED_STATES = frozenset(
    {"submitted", "county_passed", "reported", "accepted", "rectifying", "closed"}
)  # a determination was filed (提交) and is not back with the township
OPEN_STATES = frozenset({"issued", "verifying", "county_returned", "returned"})


@dataclass(frozen=True)
class Rectification:
    """What the rectification ledger (整改台账) holds for one patch: areas to date and 销号."""

    demolished_m2: float = 0.0  # 拆除面积
    demolished_farmland_m2: float = 0.0
    regularised_m2: float = 0.0  # 补办面积
    regularised_farmland_m2: float = 0.0
    closed_out: bool = False  # 销号 approved
    deadline: dt.date | None = None
    major_case: bool = False  # 重大典型问题
    responsible: str | None = None  # 整改责任人

    @property
    def rectified_m2(self) -> float:
        return self.demolished_m2 + self.regularised_m2

    @property
    def rectified_farmland_m2(self) -> float:
        return self.demolished_farmland_m2 + self.regularised_farmland_m2


@dataclass(frozen=True)
class Case:
    """The case register (立案查处) entry of one patch, as the ledger holds it."""

    filed_on: dt.date | None = None  # 立案
    kind: str = "land"  # land | mineral (cases.kind): table 5's 土地 / 矿产 rows
    closed_on: dt.date | None = None  # 结案
    discipline: int = 0  # persons given 党纪政务处分
    organisational: int = 0  # 组织处理
    judicial: int = 0  # 移送司法
    fine_yuan: float = 0.0


@dataclass(slots=True)
class PatchRecord:
    """One patch with its current determination and ledger state, as statistics need it.

    Read-only by convention, not frozen: a frozen dataclass of this size takes three times as long
    to build, and statistics build one per patch (100,000 for a county) on every request."""

    patch_id: int
    code: str  # JCBH
    source: str
    batch: str
    year: int  # NF, the monitoring year
    issued_on: dt.date | None
    unit: str | None  # derived township code (largest share); None outside every unit
    area_m2: float  # JCMJ
    desk_farmland_m2: float | None  # GDMJ of the desk comparison
    desk_basic_farmland_m2: float | None
    restricted: bool  # military land, or not yet checked against one: counted, never listed outside the offline packet
    state: str  # ZT
    due_on: dt.date  # verification deadline (15 days)
    effective_due_on: dt.date  # the deadline now running (a return's correction date, else due_on)
    verdict: str | None = None  # PDJG of the current determination (draft or filed)
    subtype: str | None = None
    violation_type: str | None = None  # WFLX
    illegal_area_m2: float | None = None  # filed 违法面积
    farmland_m2: float | None = None  # filed 耕地
    basic_farmland_m2: float | None = None
    is_new: bool | None = None  # 新增 (True) / 存量 (False)
    housing: bool = False  # 乱占耕地建房 confirmed in the determination
    housing_class: str | None = None
    housing_candidate: bool = False  # flagged by the rules, not (yet) confirmed by a person
    mineral_verdict: str | None = None
    mineral_illegal: bool = False  # the mineral verdict's class is 违法
    mineral_handling: str | None = None
    project_name: str | None = None
    project_owner: str | None = None
    opinion: str | None = None
    submitted_on: dt.date | None = None  # first 提交 (Beijing day)
    returned_after_submit: bool = False  # returned (county or upper level) after a submission
    exclusion: str | None = None  # 排除情形 category, e.g. 省以上重点工程
    rectification: Rectification | None = None
    case: Case | None = None
    split: str | None = None  # "parent" (被拆分) or "child" (拆分) of a patch split

    @property
    def filed(self) -> bool:
        """A determination was filed and is not back with the township; a split parent's own
        determination gives way to its parts'."""
        return self.verdict is not None and self.state in FILED_STATES and self.split != "parent"

    @property
    def illegal(self) -> bool:
        return self.filed and self.verdict == "违法"

    @property
    def illegal_m2(self) -> float:
        """违法面积: as filed, else the whole patch."""
        return self.illegal_area_m2 if self.illegal_area_m2 is not None else self.area_m2

    @property
    def farmland(self) -> float:
        """耕地: as filed where a person filed it, else the desk comparison's GDMJ, else 0."""
        if self.farmland_m2 is not None:
            return self.farmland_m2
        return self.desk_farmland_m2 or 0.0


@dataclass(frozen=True)
class ReferralRecord:
    """One 抄告/移交 and how far its feedback has come."""

    referral_id: int
    patch_id: int
    unit: str | None
    kind: str  # referral | transfer
    department: str
    referred_on: dt.date
    due_on: dt.date
    finished_on: dt.date | None  # 办结 (or the single feedback of the older model)
