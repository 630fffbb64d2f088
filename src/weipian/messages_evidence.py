"""Chinese sentences for imagery (``imagery.*``), field evidence (``evidence.*``) and referrals
(``referral.*``). :func:`weipian.messages.message` looks here last.

Each owner adds its codes under its own heading, in its own block.
"""

from __future__ import annotations

EVIDENCE_MESSAGES: dict[str, str] = {
    # the patch map (web/routes/maps.py)
    "map.bad_bbox": "地图范围“{bbox}”无效：应为 西,南,东,北 四个经纬度数值，且西小于东、南小于北。",
    "map.no_layer": "没有可显示的参考图层“{label}”：尚未导入，或您的账号无权查看。",
    # imagery (services/imagery.py, weipian imagery)
    "imagery.not_found": "找不到影像文件：{path}。请检查路径是否正确。",
    "imagery.not_raster": "文件 {path} 不是可识别的栅格影像（或已损坏）。请提供 GeoTIFF（.tif）格式的影像。",
    "imagery.not_geotiff": "文件 {path} 是 {driver} 格式，不是 GeoTIFF。请先用 GIS 软件导出为 GeoTIFF（.tif）后再登记。",
    "imagery.no_crs": "影像 {path} 没有坐标系或地理参考信息，无法叠加到地图上。请在 GIS 软件中为其定义坐标系（如 EPSG:4527）后再登记。",
    "imagery.unreadable": "影像 {path} 读取中途出错，文件可能不完整或已损坏（{detail}），未登记。请重新拷贝或导出后再试。",
    "imagery.phase": "时相“{phase}”无效。请使用 before（前时相）或 after（后时相）。",
    "imagery.date": "影像日期“{value}”格式不正确。请使用 YYYYMMDD，例如 20220601。",
    "imagery.duplicate": "影像 {path} 已作为{phase_label}登记过（编号 {id}，文件名 {name}），不能重复登记。",
    "imagery.no_such_id": "找不到编号为 {id} 的影像。",
    "imagery.file_missing": "影像 {id}（{name}）的文件在存储目录中找不到，请联系管理员检查文件目录（files_dir）或重新登记。",
    # field evidence (services/evidence.py, the patch page)
    "evidence.not_found": "找不到编号为 {id} 的举证文件，可能已被删除。",
    "evidence.kind": "未知的举证类别：{kind}。请选择“现场照片”或“审批文件等附件”。",
    "evidence.empty": "文件 {name} 是空文件，未保存。请重新选择照片或文件。",
    "evidence.too_large": "文件 {name} 大小为 {size_mb} MB，超过单个文件 {limit_mb} MB 的上限，未保存。请压缩或分开后再上传。",
    "evidence.request_too_large": "一次上传的文件总量过大：每个文件不超过 {limit_mb} MB，一次最多 {files} 个。请分批上传。",
    "evidence.too_many": "一次最多上传 {limit} 个文件（本次 {count} 个）。请分批上传。",
    "evidence.no_files": "没有选择文件。请先选择要上传的照片或附件。",
    "evidence.type_photo": "文件 {name} 不是 JPEG、PNG 或 HEIC 格式的照片（按文件内容识别，与扩展名无关），未保存。",
    "evidence.type_document": "文件 {name} 不是 PDF、JPEG 或 PNG 文件（按文件内容识别，与扩展名无关），未保存。审批文件请扫描为 PDF 或拍照上传。",
    "evidence.unreadable_image": "图片无法打开，文件可能已损坏或不完整（{detail}）。请重新拍摄或导出后再上传。",
    "evidence.unreadable_file": "文件 {name} 无法作为图片打开，可能已损坏或不完整，未保存。请重新拍摄或导出后再上传。",
    "evidence.duplicate": "文件 {name} 已上传到本图斑（与已有文件内容相同），未重复保存。",
    "evidence.no_preview": "该附件不是照片，没有预览图，请下载查看。",
    "evidence.file_missing": "举证文件 {name} 在存储目录中找不到，请联系管理员检查文件目录（files_dir）。",
    "evidence.uploaded": "已上传 {count} 个文件。",
    "evidence.partly_uploaded": "已上传 {count} 个文件；以下文件未保存：",
    "evidence.check.position_missing": "照片没有 GPS 位置信息，无法核对拍摄地点。请在手机相机设置中开启“位置标签”后重新拍摄。",
    "evidence.check.position_no_patch": "图斑没有可用的范围，无法核对拍摄地点。",
    "evidence.check.position_inside": "拍摄位置在图斑范围内。",
    "evidence.check.position_near": "距图斑边界 {distance} 米（允许 {limit} 米）。",
    "evidence.check.position_far": "距图斑边界 {distance} 米，超出允许的 {limit} 米，可能不是在本图斑拍摄。",
    "evidence.check.time_missing": "照片没有拍摄时间（EXIF），无法证明是后时相之后拍摄的。请上传相机原图，不要用截图或经社交软件压缩的图片。",
    "evidence.check.time_no_hsx": "拍摄于 {taken}（北京时间）；图斑没有后时相日期，无法核对。",
    "evidence.check.time_after": "拍摄于 {taken}（北京时间），不早于后时相 {hsx}。",
    "evidence.check.time_before": "拍摄于 {taken}（北京时间），早于后时相 {hsx}，不能反映图斑现状。请补拍现场照片。",
    "evidence.check.direction_missing": "照片没有记录拍摄方向。请在手机相机中开启指南针/方向记录后重新拍摄。",
    "evidence.check.direction_present": "拍摄方向 {azimuth}°（朝{compass}）。",
    "evidence.check.reused": "同一张照片（内容完全相同）已用于图斑 {patches}，不能重复举证。",
    "evidence.check.not_reused": "未在其他图斑中使用过。",
    # referrals (services/referrals.py, weipian referrals, the department pages)
    "referral.forbidden": "只有市局管理员、市局审核员和乡镇核查员（本乡镇图斑）可以抄告或移交图斑。",
    "referral.foreign_township": "图斑 {code} 不属于您所在的乡镇，不能由您抄告或移交。",
    "referral.stage_unknown": "未知的反馈阶段：{stage}。可用：{known}。",
    "referral.kind_unknown": "未知的移送方式：{kind}。可用：referral（抄告）、transfer（移交）。",
    "referral.department_unknown": "“{department}”不在接收部门名录中。可选部门：{known}。",
    "referral.kind_refused": "{department}不接收{kind_label}（只接收：{kinds}）。请换一种方式或换一个部门。",
    "referral.matter_needed": "请填写抄告或移交的事项（问题和请求对方办理的内容）。",
    "referral.feedback_needed": "反馈内容不能为空。请填写办理情况后再提交。",
    "referral.too_long": "内容过长（{length} 字），最多 {max} 字。请精简，详细材料可作为附件另行报送。",
    "referral.restricted": "图斑 {code} 涉军事用地，不能通过本系统向{department}抄告或移交。请通过机要渠道线下办理。",
    "referral.not_found": "找不到编号为 {id} 的抄告或移交记录，或您无权查看。",
    "referral.feedback_forbidden": "只有{department}的部门联络员或市局管理员可以填写此件的反馈。",
    "referral.feedback_given": "第 {id} 号已由 {by} 反馈办结，办结后不能再填写或修改反馈。如情况有变，请联系市局重新抄告。",
    "referral.created": "已{kind_label}至{department}，反馈期限 {due}。",
    "referral.feedback_saved": "反馈已保存，市局可在“移送抄告”中查看。",
    "user.department_needed": "部门联络员账号 {username} 必须用 --department 指明所属部门。可选部门：{known}。",
    "user.department_unknown": "部门“{department}”不在接收部门名录中。可选部门：{known}。",
    "user.department_only": "只有部门联络员账号需要指定部门（当前角色：{role}）。",
}
