"""``weipian document``: the 月清月结 report, the annual report, Excel ledgers, the military packet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from weipian.cli.context import command_store, settings
from weipian.cli.output import emit_json, guarded, out
from weipian.domain import clock
from weipian.rules import load_rules
from weipian.services import documents
from weipian.services.users import account_by_name

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
OutOpt = Annotated[Path, typer.Option("--out", help="输出文件")]
PdfOpt = Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 转换为 PDF（已安装时）")]

app = typer.Typer(
    help="文书与报表：月清月结报告、年度成果报告、台账 Excel、涉军离线报送包。", no_args_is_help=True
)


def _done(path: Path, pdf: bool, as_json: bool) -> None:
    made: Path | None = None
    if pdf:
        made = guarded(as_json, lambda: documents.to_pdf(path))
    result: dict[str, Any] = {"path": path, "pdf": made}
    if as_json:
        emit_json(result)
        return
    out.print(f"已生成：{path}", highlight=False)
    if made:
        out.print(f"已转换 PDF：{made}", highlight=False)
    elif pdf:
        out.print("未安装 LibreOffice，未生成 PDF（Word 文件可直接打开打印）。", highlight=False)


@app.command("monthly")
def monthly_cmd(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM")],
    path: OutOpt,
    pdf: PdfOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """月清月结报告（.docx 或 .xlsx）：当月下发图斑的完成情况、按期率、逾期及各乡镇汇总。"""

    def run() -> Path:
        s = settings()
        with command_store() as store, store.reading() as session:
            return documents.monthly_report(
                session, load_rules(), path, month=month, on=clock.today(), farmland_source=s.ratio_farmland
            )

    _done(guarded(as_json, run), pdf, as_json)


@app.command("annual")
def annual_cmd(
    year: Annotated[int, typer.Option("--year", help="年度")],
    path: OutOpt,
    pdf: PdfOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """年度卫片执法成果报告（.docx，可编辑）：汇总数字、各表、统计图与专题图（乡镇比例、图斑分布）。"""

    def run() -> Path:
        s = settings()
        with command_store() as store, store.reading() as session:
            return documents.annual_report(
                session, load_rules(), path, year=year, on=clock.today(), farmland_source=s.ratio_farmland
            )

    _done(guarded(as_json, run), pdf, as_json)


@app.command("ledger")
def ledger_cmd(
    kind: Annotated[
        Literal["illegal", "rectification", "housing"],
        typer.Argument(help="illegal 非农违法图斑清单、rectification 整改统计表、housing 乱占耕地建房清单"),
    ],
    path: OutOpt,
    year: Annotated[int | None, typer.Option("--year", help="监测年度")] = None,
    month: Annotated[str | None, typer.Option("--month", help="下发月份 YYYY-MM")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只含该乡镇（9 位代码）")] = None,
    pdf: PdfOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """台账 Excel（可直接打印：多行表头、亩保留两位小数、合计行、冻结窗格）；不含涉军事用地图斑。"""

    def run() -> Path:
        with command_store() as store, store.reading() as session:
            return documents.ledger(
                session, load_rules(), path, kind=kind, on=clock.today(), year=year, month=month, unit=unit
            )

    _done(guarded(as_json, run), pdf, as_json)


@app.command("military")
def military_cmd(
    path: OutOpt,
    actor: Annotated[str, typer.Option("--as", help="市局账号（登录名）")],
    as_json: JsonOpt = False,
) -> None:
    """涉军事用地图斑离线报送包（.xlsx，标注涉密、仅限离线报送）：唯一列出涉军图斑的文件，限市局账号，网页不提供下载。"""

    def run() -> Path:
        with command_store() as store, store.reading() as session:
            account = account_by_name(session, actor)
            return documents.military_packet(
                session, load_rules(), path, actor=account.actor, on=clock.today()
            )

    _done(guarded(as_json, run), False, as_json)
