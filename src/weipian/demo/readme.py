"""The Chinese README.txt written next to the demo data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weipian.demo.calendar import DemoCalendar
    from weipian.demo.manifest import DemoPackage

_LAYERS = """\
参考图层（均为 CGCS2000 经纬度 EPSG:4490 的 GeoPackage）：
  townships.gpkg            乡镇（街道）界线 XZQ：27 个单元无缝覆盖全县；XZQDM（9 位代码）、XZQMC
  landuse.gpkg              国土调查地类图斑 DLTB：无缝无叠覆盖全县；BSM、DLBM（三调地类编码）、DLMC、
                            CZCSXM（城镇村属性码 201/202/203/204/205，其余为空）、TBMJ（椭球面积，平方米）
  basic_farmland.gpkg       永久基本农田 YJJBNTTB：取自成片耕地图斑；BSM、DLBM、DLMC、JBNTMJ
  stable_farmland.gpkg      可以长期稳定利用耕地 WDLYGD：永久基本农田以外的平原、缓坡和村庄周边耕地图斑；
                            BSM、DLBM、DLMC、GDMJ
  riverside.gpkg            江河沿岸 JHYA：西溪、东溪、晋江河道及两岸各 500 米缓冲区；BSM、HLMC 河流名称、
                            HXKD 缓冲宽度（米）、MJ
  eco_redline.gpkg          生态保护红线 STBHHX：几片山地；BSM、HXMC、HXLX、MJ
  dev_boundary.gpkg         城镇开发边界 CZKFBJ：中心城区（溪美、柳城、美林）与水头镇区；BSM、MC、MJ
  protected_area.gpkg       自然保护地 ZRBHD：BSM、BHDMC、BHDLX、JB、MJ
  military.gpkg             军事用地 JSYD（涉密图层，不得在线导出）：NAME
  preapproval.gpkg          建设用地预审 JSYDYS：YSWH 预审文号、PZRQ、XMMC、YSMJ
  conversion_approval.gpkg  建设用地审批（农转用/征收）JSYDSP：PZWH 批准文号、PZRQ、XMMC、PZMJ
  land_supply.gpkg          土地供应 TDGY：HTBH 合同（划拨决定书）编号、GYFS、QDRQ 签订日期、XMMC、GYMJ
  temporary_use.gpkg        临时用地 LSYD：PZWH、YXQQ 有效期起、YXQZ 有效期止、XMMC、PZMJ
  facility_agri.gpkg        设施农业用地 SSNYD：STRKH 上图入库号、PZRQ、XMMC、SSLX、SSMJ
  consolidation.gpkg        全域土地综合整治试点 QYZZ：XMBH 项目编号、XMMC、XMLX、PZRQ、XMMJ
  linkage.gpkg              城乡建设用地增减挂钩 ZJGG：PFWH 批复文号、XMBH、XMMC、QKLX 区块类型
                            （建新区/拆旧区，仅建新区可作用地依据）、PZRQ、QKMJ
  mining_right.gpkg         采矿权 CKQ：XKZH 许可证号、KSMC、KZ 矿种、YXQQ、YXQZ、MJ（3 个，其一已于 {expired} 到期）
  prior_patches.gpkg        往年卫片图斑 WNWPTB：JCBH、NF、XZQDM、TBLX、PDJG、WFLX、JCMJ
日期字段均为 YYYY-MM-DD 文本；面积均为 CGCS2000 椭球面积（平方米）。
"""

_PACKAGES = """\
图斑包：
  {ministry}  部卫片（{m_batch}，下发 {m_issued}，{m_count} 个图斑）：
      压缩包内为 GBK 编码的 Shapefile（无 .cpg），成员文件名为 GBK 编码；坐标系 CGCS2000 3 度带
      高斯-克吕格第 39 带（EPSG:4527，横坐标含带号）；XZQDM 仅为县级代码 350583。
      字段：JCBH、XZQDM、XZQMC、TBLX、QSX、HSX（YYYYMMDD）、LZB、BZB、JCMJ（平方米）、XFSJ、NF、
      QQJCBH、TYWZJCTBWQ（即 TYWZJCTBWQBH，DBF 字段名限 10 个字符）、SFSK。
      其中 2 个图斑为自相交（蝴蝶结）图形，用于演示入库修复。
  {province}  省卫片（{p_batch}，下发 {p_issued}，{p_count} 个图斑）：
      GeoPackage，EPSG:4490，中文字段名：监测编号、行政区代码（9 位乡镇代码）、行政区名称、图斑类型、
      前时相、后时相、中心点经度、中心点纬度、监测面积（亩）、下发时间、年份、是否涉矿。
      约 3% 与部卫片图斑位于同一位置（跨来源重复图斑）。
"""

_NOTES = """\
说明：
  本数据为程序生成的模拟数据（随机种子 {seed}，图斑 {patches} 个，地类图斑 {parcels} 个），位于南安市的
  大致位置，县域轮廓与真实边界不同；乡镇代码与名称取自正式名录。相同参数重新生成得到相同数据。
  部分图斑跨乡镇界线；部分与往年图斑同位（重叠不少于 60%）；审批图层对图斑有全覆盖、部分覆盖与
  未覆盖之分，少数批文日期晚于后时相（先建后批）；部分图斑涉及可以长期稳定利用耕地、江河沿岸（重点关注）；另有采矿权范围内、越界与无证采矿图斑及军事用地内图斑。
"""


def readme_text(seed: int, patches: int, parcels: int, packages: list[DemoPackage], cal: DemoCalendar) -> str:
    """The README listing every file the demo wrote."""
    ministry, province = packages
    body = _PACKAGES.format(
        ministry=ministry.path.name, m_batch=ministry.batch, m_issued=ministry.issued.isoformat(), m_count=ministry.patches,
        province=province.path.name, p_batch=province.batch, p_issued=province.issued.isoformat(), p_count=province.patches,
    )  # fmt: skip
    head = "南安市卫片执法演示数据\n======================\n\n"
    layers = _LAYERS.format(expired=cal.day("2022-03-31").isoformat())
    return head + layers + "\n" + body + "\n" + _NOTES.format(seed=seed, patches=patches, parcels=parcels)
