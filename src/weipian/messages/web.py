"""Chinese sentences for the codes the web edge and the account service raise.

:func:`weipian.messages.message` looks here after the shared table.
"""

from __future__ import annotations

WEB_MESSAGES: dict[str, str] = {
    # accounts (services/users.py, weipian users)
    "user.exists": "账号 {username} 已存在。",
    "user.not_found": "没有名为 {username} 的账号。",
    "user.name_invalid": "登录名“{username}”无效：不能为空、不能含空格，最长 64 个字符。",
    "user.password_short": "密码太短：至少 {min} 位。",
    "user.password_is_name": "密码不能包含登录名，请换一个他人猜不到的密码。",
    "user.password_demo": "不能使用演示密码 weipian-demo（仅限演示环境），请换一个他人猜不到的密码。",
    "user.township_needed": "乡镇核查员账号 {username} 必须用 --township 指明所属乡镇（9 位代码）。",
    "user.township_unknown": "乡镇代码 {township} 不在本市乡镇（街道）名录中。",
    "user.township_only": "只有乡镇核查员账号需要指定乡镇（当前角色：{role}）。",
    # the database behind a request
    "database.busy": "数据库正忙（可能正在导入图斑或图层），本次操作没有保存。请稍等片刻后重试。",
    "database.unavailable": "暂时无法访问数据库，本次操作没有保存。请稍后重试；仍不行请联系系统管理员。",
    # sign-in and requests
    "secret.too_short": "会话签名密钥（{origin}）太短：至少需要 {min} 字节，否则他人可伪造登录。系统拒绝启动。请删除该设置（系统会自动生成随机密钥），或设置为至少 {min} 个随机字符。",
    "cli.as_required": "请用 --as 登录名 指明以哪个账号的身份操作（须为已启用的网页账号，其角色须允许该操作）。",
    "auth.locked": "登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试；忘记密码请联系系统管理员重置。",
    "auth.busy": "系统正忙（同时登录的人过多），请稍后再试。",
    "auth.session_ended": "登录已失效（已退出、密码已修改、账号已停用或长时间未操作），请重新登录。",
    "auth.failed": "登录名或密码不正确，或账号已停用。",
    "auth.required": "请先登录。",
    "auth.logged_out": "您已退出登录。",
    "csrf.invalid": "页面已过期或请求来源不明（安全校验未通过）。请刷新页面后重试。",
    "htmx.required": "此操作只能在系统页面内完成。请刷新页面后重试。",
    "request.too_large": "提交的内容超过 {limit_mb} MB 的上限，已停止接收，未保存任何内容。请减少一次上传的文件数量或压缩后分批上传。",
    "request.invalid": "提交的内容有误：{detail}",
    "patch.no_such_id": "找不到该图斑（编号 {id}），或您无权查看。",
    "list.unknown": "没有名为“{name}”的清单。",
    "list.forbidden": "涉军事用地清单仅限市局查看。",
    "list.offline_only": "涉军事用地图斑清单不提供网页下载：请用命令行 weipian document military --out 文件.xlsx --as 市局账号 生成离线报送包，按保密规定离线报送。",
    "review.forbidden": "只有市局审核员和市局管理员可以审核。",
    "review.nothing_selected": "请至少勾选一个图斑。",
    "export.too_many": "筛选结果有 {count} 个图斑，超过网页导出上限 {limit} 个。请缩小筛选范围，或用命令行 weipian export 导出。",
    # form fields (determination form)
    "determination.form": "判定表有填写错误，请按各栏提示修改后再保存。",
    "form.number": "请输入数字（可带小数，如 123.45）。",
    "form.not_negative": "面积不能为负数。",
    "determination.unchanged": "判定内容没有变化，未生成新版本（仍为第 {version} 版）。",
    "form.date": "请按 年-月-日 填写日期。",
    # notices
    "determination.saved": "判定已保存（第 {version} 版）。",
    "determination.submitted": "判定已提交市局审核。",
    "review.passed": "已审核通过 {count} 个图斑。",
    "review.outcome_needed": "请选择“审核通过”或“退回乡镇”。",
    "review.returned": "已退回 {count} 个图斑，补正期限 {days} 天（至 {due_on}）。",
    "department.notice": "部门联络员只能查看抄告或移交给本部门的图斑（见“移送抄告”）；账号未设置所属部门时看不到任何图斑，请联系市局管理员。",
}
