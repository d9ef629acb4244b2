"""The one table of error messages: each error code's text in Simplified Chinese and English.

The API answers ``error.message`` from here (``miniapp_api/errors.py``), never from the text
an exception was raised with: that text is for logs and the command line, and may hold what
an upstream platform said. Chinese is written to be shown to a citizen as it is: plain,
polite, and saying what to do next.

Adding a code: one line in ``MESSAGES``. ``tests/miniapp_api/test_messages.py`` finds every
code the server can answer in the source and fails for one with no line here.

A key ``"code.reason"`` refines a code by its ``details["reason"]``; ``{field}`` in a text is
filled with the label of ``details["field"]`` from ``FIELD_LABELS`` (a general word when the
field has no label).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Language = Literal["zh", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    # --- general -----------------------------------------------------------------------
    "domain_error": (
        "请求未能完成，请稍后再试。",
        "The request could not be completed; please try again later.",
    ),
    "bad_request": (
        "请求无法处理，请检查后重试。",
        "The request cannot be served; please check it.",
    ),
    "malformed_request": (
        "请求内容格式不正确，请更新小程序后重试。",
        "The request is malformed; please update the mini-program and try again.",
    ),
    "invalid_value": (
        "{field}填写不正确，请检查后重新提交。",
        "Please check {field} and submit again.",
    ),
    "missing_field": ("请填写{field}后再提交。", "Please fill in {field} and submit again."),
    "not_found": ("没有找到您要的内容，请返回后重试。", "Not found; please go back and try again."),
    "method_not_allowed": (
        "不支持这种请求方式，请更新小程序后重试。",
        "This method is not allowed here; please update the mini-program.",
    ),
    "payload_too_large": (
        "提交的内容太大，请缩小后重试。",
        "The request is too large; please make it smaller and try again.",
    ),
    "request_timeout": (
        "网络有些慢，请求未能及时送达，请重试。",
        "The request took too long to arrive; please try again.",
    ),
    "conflict": (
        "当前状态不能进行这项操作，请刷新后查看。",
        "This cannot be done in the current state; please refresh and check.",
    ),
    "forbidden": (
        "您没有权限进行这项操作，如有疑问请联系管理员。",
        "You are not allowed to do this.",
    ),
    "rate_limited": (
        "操作太频繁了，请稍等片刻再试。",
        "Too many requests; please wait a moment and try again.",
    ),
    "unavailable": (
        "服务暂时不可用，请稍后再试。",
        "This service is temporarily unavailable; please try again later.",
    ),
    "internal_error": (
        "系统出了点问题，我们正在处理，请稍后再试。",
        "Something went wrong on our side; please try again later.",
    ),
    # --- upstream platforms (never what the platform said) ------------------------------
    "upstream_error": (
        "服务平台暂时无法处理，请稍后再试。",
        "The platform could not handle this; please try again later.",
    ),
    "upstream_unavailable": (
        "服务平台繁忙，请稍后再试。",
        "The platform is busy; please try again shortly.",
    ),
    "upstream_token_expired": (
        "服务平台繁忙，请稍后再试。",
        "The platform is busy; please try again shortly.",
    ),
    "upstream_rejected": (
        "服务平台未能处理这次请求，请稍后再试；如仍不行，请联系客服。",
        "The platform refused the request; please try again later or contact us.",
    ),
    "upstream_signature_invalid": (
        "服务平台的应答未通过校验，请稍后再试。",
        "The platform's answer could not be verified; please try again later.",
    ),
    "signature_invalid": ("签名校验未通过，请求已拒绝。", "The signature could not be verified."),
    "platform_not_configured": (
        "当前平台暂未开通此服务，请换用其他方式办理。",
        "This platform is not set up on this server; please use another way.",
    ),
    "bot_not_configured": (
        "公众号服务暂未开通，请稍后再试。",
        "The Official Account is not configured on this server.",
    ),
    # --- login and sessions -----------------------------------------------------------
    "not_authenticated": ("请先登录。", "Please log in first."),
    "invalid_login_code": (
        "登录已失效，请重新登录。",
        "The login code is invalid or already used; please log in again.",
    ),
    "invalid_token": (
        "登录状态无效，请重新登录。",
        "Your session is not valid; please log in again.",
    ),
    "session_expired": ("登录已过期，请重新登录。", "Your session has ended; please log in again."),
    "wrong_token_kind": (
        "当前登录身份不能使用这项服务，请用对应的账号登录。",
        "This login cannot be used here; please log in with the right account.",
    ),
    "account_closed": (
        "该账号已注销，如需办事请重新登录。",
        "This account has been closed; please log in again to start anew.",
    ),
    "login_refused": (
        "平台暂不允许该账号登录，请稍后再试或联系平台客服。",
        "The platform refused this account's login; please try later or contact it.",
    ),
    "invalid_credentials": (
        "用户名或密码不正确，请重新输入。",
        "Wrong username or password; please try again.",
    ),
    "account_locked": (
        "登录失败次数过多，账号已暂时锁定，请稍后再试。",
        "Too many failed sign-ins; the account is locked for a while.",
    ),
    # --- real-name verification and phone ---------------------------------------------
    "invalid_name": (
        "姓名填写不正确，请核对后重新输入。",
        "Please check the name and enter it again.",
    ),
    "invalid_name.length": (
        "姓名长度应为2至30个字，请核对后重新输入。",
        "A name has 2 to 30 characters; please check it.",
    ),
    "invalid_name.characters": (
        "姓名只能包含汉字或英文字母，请按证件上的姓名填写（不能包含数字、符号或表情）。",
        "A name holds only Chinese characters or Latin letters, as on the ID card.",
    ),
    "invalid_name.dot": (
        "姓名中的间隔号“·”不能出现在开头或结尾，也不能连续出现两个。",
        "The middle dot cannot start or end a name, nor appear twice in a row.",
    ),
    "invalid_id_number": (
        "身份证号码不正确，请核对后重新输入。",
        "The ID number is not valid; please check it.",
    ),
    "invalid_id_number.length": (
        "身份证号码应为18位，请核对后重新输入（15位的旧号码请改用18位新号码）。",
        "An ID number has 18 characters; please check it.",
    ),
    "invalid_id_number.characters": (
        "身份证号码只能由数字组成，最后一位可以是字母X，请核对后重新输入。",
        "An ID number holds digits only, the last may be X; please check it.",
    ),
    "invalid_id_number.region": (
        "身份证号码前6位地区码不正确，请核对后重新输入。",
        "The ID number's first six digits are not a region; please check it.",
    ),
    "invalid_id_number.birth_date": (
        "身份证号码中的出生日期（第7至14位）不正确，请核对后重新输入。",
        "The birth date in the ID number (digits 7-14) is not valid; please check it.",
    ),
    "invalid_id_number.check_character": (
        "身份证号码最后一位校验码不正确，请核对是否有输错的数字。",
        "The ID number's check character does not match; please look for a typo.",
    ),
    "already_verified": (
        "您已完成实名认证，无需重复认证。",
        "You have already verified your name.",
    ),
    "verification_not_found": (
        "没有找到这次实名认证，请重新发起认证。",
        "This verification was not found; please start again.",
    ),
    "verification_expired": (
        "认证已过期，请重新发起实名认证。",
        "The verification has expired; please start again.",
    ),
    "verification_used": (
        "这次实名认证已经确认过，请勿重复提交。",
        "This verification was already confirmed.",
    ),
    "verification_failed": (
        "人脸核验未通过，请确认是本人操作后重新认证。",
        "The face check did not pass; please try again yourself.",
    ),
    "realname_unavailable": (
        "当前平台暂不支持实名认证，请稍后再试。",
        "Real-name verification is not available on this platform now.",
    ),
    "realname_required": (
        "请先完成实名认证，再查询或办理。",
        "Please verify your real name first.",
    ),
    "invalid_phone_code": (
        "获取手机号失败，请重新点击按钮授权手机号。",
        "The phone-number code is invalid or used; please tap the button again.",
    ),
    "invalid_phone": (
        "未能获取有效的手机号码，请重试。",
        "No valid phone number was received; please try again.",
    ),
    # --- catalogue, uploads and filing ------------------------------------------------
    "item_not_found": ("没有找到这个办事事项，请返回重新选择。", "No such service item."),
    "unknown_item": ("没有找到这个办事事项，请返回重新选择。", "No service item has this code."),
    "file_too_large": (
        "文件太大了，请上传不超过10MB的文件。",
        "The file is too large (10 MB at most).",
    ),
    "unsupported_file_type": (
        "只能上传JPG、PNG图片或PDF文件，请换一个文件。",
        "Only JPEG, PNG or PDF files are accepted.",
    ),
    "empty_file": ("文件是空的，请重新选择文件上传。", "The file is empty; please choose another."),
    "one_file_only": ("每次请只上传一个文件。", "Please send one file per upload."),
    "file_not_found": (
        "没有找到这个文件，请重新上传。",
        "The file was not found; please upload it again.",
    ),
    "unknown_file": (
        "有材料文件已失效，请重新上传后再提交。",
        "A material's file was not found; please upload it again.",
    ),
    "unknown_material": (
        "有材料不属于这个事项，请按材料清单上传。",
        "A material is not in this item's list; please follow the list.",
    ),
    "invalid_materials": (
        "材料信息不完整，请为每份材料选择文件后再提交。",
        "Each material needs a name and a file.",
    ),
    "missing_material": (
        "还有必交材料没有上传，请补齐后再提交。",
        "Required materials are missing; please add them and submit again.",
    ),
    "invalid_form": ("表单填写有误，请检查后重新提交。", "The form is not valid; please check it."),
    "invalid_delivery": (
        "请选择领取方式：邮寄或窗口领取。",
        "Please choose how to receive the result: by post or in person.",
    ),
    "delivery_not_offered": (
        "这个事项不支持所选的领取方式，请换一种方式。",
        "This item does not offer that delivery method; please choose another.",
    ),
    "incomplete_address": (
        "收件地址还不完整，请填写{field}。",
        "The delivery address is incomplete; please fill in {field}.",
    ),
    # --- cases ------------------------------------------------------------------------
    "case_not_found": (
        "没有找到这个办件，请核对办件编号。",
        "No such case; please check the number.",
    ),
    "invalid_transition": (
        "办件当前的状态不能进行这项操作，请刷新后查看最新状态。",
        "This action is not allowed in the case's current state; please refresh.",
    ),
    "concurrent_update": (
        "办件刚被其他人更新过，请刷新后重试。",
        "The case was changed by someone else; please reload and try again.",
    ),
    "empty_supplement": (
        "补正时请至少上传一份材料。",
        "A supplement needs at least one material.",
    ),
    "note_required": ("请填写说明后再提交。", "Please write a note."),
    "already_extended": (
        "这个办件已经延期过一次，不能再次延期。",
        "The time limit was already extended once.",
    ),
    "invalid_extension": (
        "延期天数不正确，请填写不超过法定时限的天数。",
        "The extension is not valid; please give days within the statutory limit.",
    ),
    "invalid_action": ("不支持这项操作，请刷新后重试。", "Unknown action; please refresh."),
    "invalid_status": ("办件状态筛选条件不正确，请重新选择。", "Unknown status filter."),
    "role_not_allowed": (
        "您的岗位不负责办件处理，如需处理请联系管理员。",
        "Your role does not handle cases.",
    ),
    "not_shippable": (
        "这个办件选择的是窗口领取，不能登记邮寄。",
        "This case's result is collected in person; it cannot be mailed.",
    ),
    "invalid_tracking_number": (
        "邮件号格式不正确，请核对后重新输入（如 1234567890123）。",
        "The tracking number is not valid; please check it.",
    ),
    "invalid_tracking_number.format": (
        "邮件号格式不正确：EMS 邮件号为 13 位数字，或“2 个字母 + 9 位数字 + 2 个字母”"
        "（如 EA123456785CN）。",
        "An EMS number is 13 digits, or 2 letters, 9 digits and 2 letters (EA123456785CN).",
    ),
    "invalid_tracking_number.not_ems": (
        "这不是 EMS 邮件号（EMS 的国际标准单号以字母 E 开头），请核对寄件所用的快递公司。",
        "This is not an EMS number (international EMS numbers start with E).",
    ),
    "invalid_tracking_number.check_digit": (
        "邮件号的校验位不正确，请核对是否有输错的数字。",
        "The number's check digit is wrong; please look for a mistyped digit.",
    ),
    "tracking_number_in_use": (
        "这个邮件号已用于其他人的办件，请核对后重新输入。",
        "This tracking number is used by another citizen's case.",
    ),
    # --- agents -----------------------------------------------------------------------
    "invalid_agent": ("不能委托给自己，请填写代办人的账号。", "You cannot authorise yourself."),
    "agent_not_verified": (
        "代办人尚未完成实名认证，请对方先完成认证。",
        "The agent has not verified their real name yet.",
    ),
    "authorisation_not_found": ("没有找到这项委托，请刷新后查看。", "No such authorisation."),
    "not_authorised_agent": (
        "您没有获得办理此事项的委托，请联系当事人先完成授权。",
        "You are not authorised for this item; please ask the citizen first.",
    ),
    "invalid_citizen_id": ("账号编号不正确，请核对后重新输入。", "The citizen id is not valid."),
    "citizen_not_found": ("没有找到这个账号，请核对账号编号。", "No such citizen account."),
    # --- messages and consents ------------------------------------------------------------
    "unknown_template": (
        "消息模板已更新，请刷新后重新授权。",
        "A template is not known; please refresh and ask again.",
    ),
    "conflicting": (
        "同一条消息不能同时接受和拒绝，请重新选择。",
        "A template cannot be both accepted and rejected.",
    ),
    "too_many_templates": (
        "一次授权的消息太多了，请分次授权。",
        "Too many templates at once; please ask in several steps.",
    ),
    "mixed": (
        "一次性订阅和长期订阅需要分开授权。",
        "One-time and long-term templates are asked separately.",
    ),
    "no_platform_account": (
        "您还没有用这个平台登录过，请先在该平台登录。",
        "You have no account on this platform; please log in there first.",
    ),
    # --- topics, exams, campaigns ---------------------------------------------------------
    "topic_not_found": ("没有找到这个专题，请返回专题列表重新选择。", "No such topic."),
    "trace_not_found": (
        "没有查到这个追溯码的记录，请核对后重新输入。",
        "No traceability record for this code; please check it.",
    ),
    "invalid_query": ("查询条件不正确，请检查后重试。", "The query is not valid; please check it."),
    "score_not_found": (
        "暂未查到您的成绩，成绩发布后请再来查询。",
        "No result yet; please come back once results are released.",
    ),
    "invalid_exam": ("考试名称不正确，请使用字母、数字或连字符。", "The exam key is not valid."),
    "invalid_header": (
        "成绩文件的表头不正确，请以 candidate_number,id_number,name,total 开头。",
        "The results file's header is not valid.",
    ),
    "invalid_release_at": (
        "发布时间不正确，请填写带时区的时间，如 2026-06-25T12:00+08:00。",
        "The release time is not valid.",
    ),
    "campaign_not_found": ("没有找到这项推送活动，请刷新列表后重试。", "No such campaign."),
    "unknown_topic": ("没有这个专题，请重新选择。", "Unknown topic."),
    "unknown_town": (
        "没有这个乡镇（街道），请从列表中选择。",
        "Unknown township; please pick one.",
    ),
    "invalid_send_at": (
        "发送时间不正确，请填写带时区的时间，如 2026-06-25T12:00+08:00。",
        "The send time is not valid.",
    ),
    "invalid_quiet_hours": (
        "免打扰时段不正确，请按“21:00”的格式填写。",
        "Quiet hours are not valid; use times like 21:00.",
    ),
    "does_not_fit": (
        "标题或摘要不符合消息模板的要求，请修改后重试。",
        "The title or summary does not fit the template; please change it.",
    ),
    "self_approval": (
        "不能审核自己创建的推送，请由其他同事审核。",
        "You cannot approve your own campaign.",
    ),
    "not_a_test_recipient": (
        "测试消息只能发给已关联本人账号的工作人员。",
        "Test messages go only to staff linked to their own citizen account.",
    ),
    # --- staff accounts and the command line ----------------------------------------------
    "staff_not_found": ("没有找到这个工作人员账号，请核对用户名。", "No such staff member."),
    "username_taken": ("用户名已被使用，请换一个。", "This username is taken."),
    "invalid_username": (
        "用户名格式不正确，请使用字母、数字或连字符。",
        "The username is not valid.",
    ),
    "invalid_role": (
        "岗位角色不正确，请从 clerk、supervisor、publicity、admin 中选择。",
        "The role is not valid.",
    ),
    "department_required": ("窗口人员和科室负责人需要指定所属部门。", "A department is required."),
    "weak_password": (
        "密码至少需要10位，请重新设置。",
        "The password needs at least 10 characters.",
    ),
    "invalid_date": ("日期格式应为 YYYY-MM-DD。", "The day must be YYYY-MM-DD."),
    "invalid_day_kind": ("请填写 workday 或 holiday。", "Say 'workday' or 'holiday'."),
    "binding_busy": (
        "绑定码暂时不够用，请稍后再试。",
        "No binding code is free right now; try again.",
    ),
    # --- security and input boundary (release 2) -------------------------------------
    "identity_mismatch": (
        "该证件号码已由他人完成实名认证，且姓名与您填写的不一致，请核对后重试。",
        "This ID number has been verified by another account under a different name; "
        "please check it and try again.",
    ),
    "too_many_materials": (
        "一个办件最多可提交50份材料，请合并或删减后再提交。",
        "A case may hold at most 50 materials; please merge or remove some and submit again.",
    ),
    "duplicate_material": (
        "同一份文件在同一材料下重复提交了，请删除重复的一项后再提交。",
        "The same file was listed twice under the same material; please remove the duplicate "
        "and submit again.",
    ),
    "upload_quota_exceeded": (
        "您今天上传的文件已达上限，请明天再上传，或先提交已上传的材料。",
        "You have reached today's upload limit; please upload again tomorrow, or submit the "
        "materials already uploaded.",
    ),
    "invalid_characters": (
        "请求中含有无法识别的控制字符，请删除后重新提交。",
        "The request contains control characters that cannot be accepted; please remove them "
        "and try again.",
    ),
    "invalid_number": (
        "请求中的数字超出了可以处理的范围，请检查后重新提交。",
        "A number in the request is out of the range we can handle; please check it and try again.",
    ),
    "otp_required": (
        "请输入身份验证器上显示的6位动态码。",
        "Please enter the 6-digit code shown in your authenticator app.",
    ),
    "invalid_otp": (
        "动态码不正确或已使用过，请输入身份验证器上最新的6位动态码。",
        "The code is wrong or was already used; please enter the latest 6-digit code from your "
        "authenticator app.",
    ),
    "invalid_import_file": (
        "文件无法读取，请上传 UTF-8 编码、内容为 JSON 数组的文件。",
        "The file cannot be read; upload UTF-8 JSON holding an array.",
    ),
    "invalid_import_file.json": (
        "文件不是有效的 JSON（或不是 UTF-8 编码），请检查后重新上传。",
        "The file is not valid UTF-8 JSON; please check it and upload it again.",
    ),
    "invalid_import_file.array": (
        "文件内容应为 JSON 数组（每个元素一行数据），请检查后重新上传。",
        "The file must hold a JSON array of rows.",
    ),
    "csrf_failed": (
        "页面已过期或不是从本系统打开的，操作没有执行。请刷新页面后重试。",
        "The form has expired or did not come from this console; nothing was done. "
        "Please reload the page and try again.",
    ),
    "session_idle": (
        "您已较长时间未操作，为保护账号安全，请重新登录。",
        "You were inactive for a while; to keep your account safe, please log in again.",
    ),
    "database_unavailable": (
        "服务正在恢复，请稍后再试。",
        "The service is recovering; please try again in a moment.",
    ),
    "metrics_token_required": (
        "请提供监控令牌后再读取运行指标。",
        "Please send the metrics token to read the metrics.",
    ),
    # --- ratings and feedback ----------------------------------------------------------
    "already_rated": (
        "这件办件您已经评价过了，每件办件只能评价一次。",
        "You have already rated this case; each case can be rated once.",
    ),
    "not_finished": (
        "办件办结后才能评价，请在办结后再来评价。",
        "A case can be rated only once it is finished; please come back then.",
    ),
    "already_replied": (
        "这条意见已经答复过了，请刷新后查看。",
        "This feedback has already been answered; refresh to see the reply.",
    ),
    "invalid_level": (
        "请在1到5之间选择评价等级（5为非常满意，1为非常不满意）。",
        "Choose a rating from 1 to 5 (5 very satisfied, 1 very dissatisfied).",
    ),
    "invalid_dimensions": (
        "分项评价只能是办事效率、指南准确、办理便捷、系统好用，每项1到5分。",
        "Dimensions are efficiency, guide_accuracy, convenience and usability, each 1 to 5.",
    ),
    "invalid_feedback_kind": (
        "请选择反馈类型：投诉、建议或纠错。",
        "Choose a kind: complaint, suggestion or correction.",
    ),
    "rectification_not_found": (
        "没有找到这条整改任务，请返回列表刷新后再试。",
        "No such rectification task; refresh the list and try again.",
    ),
    "feedback_not_found": (
        "没有找到这条意见，请返回列表刷新后再试。",
        "No such feedback; refresh the list and try again.",
    ),
    "rating_not_found": (
        "这件办件还没有评价。",
        "This case has not been rated yet.",
    ),
    # --- bundles and instant approval -----------------------------------------------------
    "bundle_not_found": (
        "没有找到这项“一件事”或这次办理记录，请返回列表重新选择。",
        "No such bundle or bundle filing; go back to the list and choose again.",
    ),
    "revoke_window_passed": (
        "这项秒批已超过可撤销的时限，不能再撤销；如有问题请按更正程序处理。",
        "The window for revoking this instant approval has passed; correct it through the "
        "usual procedure.",
    ),
    "not_instantly_approved": (
        "这个办件不是由系统秒批通过的，无需撤销秒批；请按一般流程办理。",
        "This case was not approved instantly by the system; handle it through the usual steps.",
    ),
}

# Labels of request fields named in ``details["field"]``, for ``{field}`` above.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "the name"),
    "id_number": ("身份证号码", "the ID number"),
    "phone": ("手机号码", "the phone number"),
    "province": ("省份", "the province"),
    "city": ("城市", "the city"),
    "district": ("区县", "the district"),
    "detail": ("详细地址", "the street address"),
    "address": ("收件地址", "the delivery address"),
    "code": ("登录凭证", "the login code"),
    "auth_code": ("登录凭证", "the login code"),
    "item_code": ("办事事项", "the service item"),
    "file": ("文件", "the file"),
    "note": ("说明", "the note"),
    "page": ("页码", "the page number"),
    "per_page": ("每页条数", "the page size"),
    "q": ("搜索内容", "the search words"),
    "verification_id": ("认证编号", "the verification id"),
    "tracking_number": ("邮件号", "the tracking number"),
    "town": ("乡镇（街道）", "the township"),
    "platform": ("平台", "the platform"),
}
_SOME_FIELD = {"zh": "相关内容", "en": "the highlighted field"}


def render(code: str, language: Language, details: Mapping[str, Any]) -> str:
    """The message for ``code`` in ``language``, refined by ``details``' reason and field."""
    index = 0 if language == "zh" else 1
    reason = details.get("reason")
    entry = MESSAGES.get(f"{code}.{reason}") if isinstance(reason, str) else None
    text = (entry or MESSAGES.get(code) or MESSAGES["domain_error"])[index]
    if "{field}" in text:
        labels = FIELD_LABELS.get(str(details.get("field")))
        text = text.replace("{field}", labels[index] if labels else _SOME_FIELD[language])
    return text
