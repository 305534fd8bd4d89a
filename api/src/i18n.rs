//! Error messages in English and Chinese. The server writes every message in English; the
//! GraphQL boundary (`graphql::boundary::finish`; `http.rs`, `ws.rs` for what they answer
//! themselves) rewrites
//! `message` into the locale of the request, once, at the boundary: `extensions.code` and every
//! other extension stay exactly as they are, so clients branch on codes in either language.
//!
//! The locale comes from `Accept-Language` (HTTP and the WebSocket upgrade) or from the
//! `connection_init` payload (`{"locale": "zh-CN"}`), and `DEFAULT_LOCALE` otherwise.
//!
//! The catalogue holds English templates in `format!` syntax (`{name}` is a placeholder,
//! `{{`/`}}` are braces) with their Chinese forms. A placeholder's value is itself translated
//! when it is a known term (what was not found, an action, a list of allowed moves) or a
//! message of the catalogue. A unit test reads the sources and fails when a message literal the
//! server can send has no entry here.

use async_graphql::ServerError;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A language error messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Locale {
    /// English (the default: what existing clients and tests expect).
    #[default]
    #[value(name = "en")]
    En,
    /// Simplified Chinese.
    #[value(name = "zh-CN", alias = "zh")]
    ZhCn,
}

impl Locale {
    /// The BCP 47 tag.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The locale one language tag names: `zh`, `zh-CN`, `zh-Hans*` are Chinese, `en` and
    /// `en-*` English; anything else none.
    pub fn of_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        if tag == "zh" || tag == "zh-cn" || tag == "zh-hans" || tag.starts_with("zh-hans-") {
            Some(Locale::ZhCn)
        } else if tag == "en" || tag.starts_with("en-") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The supported locale an `Accept-Language` value prefers (highest q-value, the first
    /// among equals), or `None` when it names none.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';').map(str::trim);
            let Some(locale) = pieces.next().and_then(Locale::of_tag) else {
                continue;
            };
            let weight = pieces
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// The locale of a request: its `Accept-Language`, else `default`.
    pub fn negotiate(header: Option<&str>, default: Locale) -> Locale {
        header
            .and_then(Locale::from_accept_language)
            .unwrap_or(default)
    }
}

/// English template → Chinese template.
const MESSAGES: &[(&str, &str)] = &[
    // --- Sign-in, tokens, sessions (UNAUTHENTICATED) ---
    (
        "sign in first: send Authorization: Bearer <access token>",
        "请先登录：在请求头中发送 Authorization: Bearer <访问令牌>",
    ),
    ("the access token is not valid", "访问令牌无效"),
    (
        "your access token has expired; refresh it or sign in again",
        "访问令牌已过期，请刷新令牌或重新登录",
    ),
    (
        "the refresh token is not valid; sign in again",
        "刷新令牌无效，请重新登录",
    ),
    (
        "this session is no longer valid; sign in again",
        "本次会话已失效，请重新登录",
    ),
    ("the account is deactivated", "该账号已停用"),
    ("the email or password is not correct", "邮箱或密码不正确"),
    ("the current password is not correct", "当前密码不正确"),
    (
        "the new password must differ from the current one",
        "新密码不能与当前密码相同",
    ),
    (
        "this password is too common; choose one that is harder to guess",
        "这个密码太常见了，请换一个更难猜到的密码",
    ),
    (
        "password must be at least {MIN_CHARS} characters long",
        "密码至少需要 {MIN_CHARS} 个字符",
    ),
    (
        "password must be at most {MAX_CHARS} characters long",
        "密码最多 {MAX_CHARS} 个字符",
    ),
    (
        "Forbidden: a valid access token is required",
        "禁止访问：需要有效的访问令牌",
    ),
    // --- RATE_LIMITED, INTERNAL ---
    (
        "too many attempts; try again in {retry_after_seconds} seconds",
        "尝试次数过多，请在 {retry_after_seconds} 秒后重试",
    ),
    (
        "the service cannot reach its database right now; try again in {retry_after_seconds} seconds",
        "服务暂时无法连接数据库，请在 {retry_after_seconds} 秒后重试",
    ),
    (
        "internal error",
        "服务器内部错误，请稍后重试；如问题持续，请联系系统管理员",
    ),
    // --- FORBIDDEN ---
    ("you are not allowed to {action}", "您没有权限{action}"),
    (
        "you are not allowed to see the live queue",
        "您没有权限查看实时队列",
    ),
    (
        "a customer account cannot also hold a staff role",
        "客户账号不能同时拥有员工角色",
    ),
    (
        "a manager does not assess or finalize their own review",
        "经理不能评估或定稿自己的绩效评估",
    ),
    (
        "a peer assessment is about a colleague, not yourself",
        "同事互评只能评价同事，不能评价自己",
    ),
    (
        "agents read their own KPIs, supervisors their team's, managers everyone's",
        "客服只能查看自己的 KPI，主管可查看本组的，经理可查看所有人的",
    ),
    (
        "an employee a complaint is about does not decide its verdict",
        "被投诉的员工不能对该投诉作出判定",
    ),
    (
        "an employee a complaint names does not take themselves off it",
        "投诉中被点名的员工不能把自己从名单中移除",
    ),
    (
        "four eyes: another reviewer publishes the version you wrote",
        "四眼原则：您撰写的版本需由另一位审核人发布",
    ),
    (
        "liaisons create corrective actions for their own department",
        "部门联络人只能为本部门创建整改措施",
    ),
    (
        "only a liaison of the department the ticket was dispatched to, or a team lead, may hand it back",
        "只有工单所派部门的联络人或组长可以退回该工单",
    ),
    (
        "only staff can be enrolled in training",
        "只有员工可以报名参加培训",
    ),
    (
        "only staff name the employees a complaint is about",
        "只有员工可以指明投诉涉及的员工",
    ),
    (
        "only supervisors and above receive escalations",
        "只有主管及以上人员可以接收升级",
    ),
    (
        "only supervisors and above review knowledge articles",
        "只有主管及以上人员可以审核知识库文章",
    ),
    (
        "only supervisors, managers and admins archive articles",
        "只有主管、经理和管理员可以归档文章",
    ),
    (
        "only supervisors, managers and admins publish articles",
        "只有主管、经理和管理员可以发布文章",
    ),
    (
        "only the complaint's owner or a team lead may name the employees involved",
        "只有投诉的负责人或组长可以指明涉及的员工",
    ),
    (
        "only the reviewed agent acknowledges a review",
        "只有被评估的客服可以确认该评估",
    ),
    (
        "only the ticket's assignee or a team lead may hand it over",
        "只有工单的处理人或组长可以转交该工单",
    ),
    (
        "only the ticket's owner, its assignee or a team lead may reclassify it",
        "只有工单的负责人、处理人或组长可以重新分类该工单",
    ),
    (
        "only the ticket's owner, its assignee or a team lead may resolve it",
        "只有工单的负责人、处理人或组长可以解决该工单",
    ),
    (
        "only the trainee can leave feedback",
        "只有学员本人可以提交反馈",
    ),
    (
        "only those who dispatch tickets may cancel a department's task",
        "只有有权派发工单的人员可以取消部门任务",
    ),
    (
        "this ticket is not dispatched to your department",
        "该工单未派发到您的部门",
    ),
    (
        "wallboards show a team's figures; watch your department's queue instead",
        "看板显示的是班组数据，请改为查看本部门的队列",
    ),
    (
        "you cannot deactivate your own account",
        "不能停用自己的账号",
    ),
    ("you do not inspect your own work", "不能质检自己处理的工作"),
    (
        "you may edit only your own draft articles",
        "您只能编辑自己的草稿文章",
    ),
    (
        "you may submit only your own draft articles",
        "您只能提交自己的草稿文章",
    ),
    (
        "you may only act on your own tickets",
        "您只能操作自己的工单",
    ),
    (
        "you may read only your own quality reviews",
        "您只能查看自己的质检结果",
    ),
    (
        "you may read only your own training, or that of the people you lead",
        "您只能查看自己或下属的培训记录",
    ),
    (
        "you may see only your own department's queue",
        "您只能查看本部门的队列",
    ),
    (
        "you may see only your own team's queue",
        "您只能查看本组的队列",
    ),
    (
        "every ticket must be a complaint you can read",
        "每张工单都必须是您有权查看的投诉",
    ),
    // --- the email channel ---
    (
        "the X-Careline-Signature header is missing or does not match the body",
        "缺少 X-Careline-Signature 请求头，或其与正文不符",
    ),
    ("the message could not be read", "无法读取该邮件"),
    (
        "praise names the praised employee, which a mail cannot; choose another kind",
        "表扬须指明受表扬的员工，邮件无法做到；请选择其他类型",
    ),
    ("must name the server's host", "须写明服务器主机名"),
    (
        "must not carry a password; give it in the password field, which is stored encrypted",
        "不得包含密码；请在密码字段中填写，密码将加密保存",
    ),
    (
        "must name the user to sign in as (imaps://user@host/INBOX)",
        "须写明登录用户名（imaps://user@host/INBOX）",
    ),
    ("must be at most 500 characters", "最多 500 个字符"),
    ("another mailbox has this address", "已有其他邮箱使用该地址"),
    // --- NOT_FOUND ---
    ("{what} not found", "找不到该{what}"),
    ("mailbox not found", "找不到该邮箱"),
    ("article not found", "找不到该文章"),
    ("calendar not found", "找不到该日历"),
    ("corrective action not found", "找不到该整改措施"),
    ("customer not found", "找不到该客户"),
    ("department not found", "找不到该部门"),
    ("department task not found", "找不到该部门任务"),
    ("employee not found", "找不到该员工"),
    ("parent ticket not found", "找不到父工单"),
    ("quality review not found", "找不到该质检记录"),
    ("reply template not found", "找不到该回复模板"),
    ("report file not found", "找不到该报表文件"),
    ("review cycle not found", "找不到该评估周期"),
    ("staff member not found", "找不到该员工"),
    ("survey invitation not found", "找不到该调查邀请"),
    ("survey not found", "找不到该调查"),
    ("team not found", "找不到该班组"),
    ("ticket not found", "找不到该工单"),
    ("training record not found", "找不到该培训记录"),
    ("no such active scorecard", "没有这个有效的评分表"),
    ("no such calendar", "没有这个日历"),
    ("no such course", "没有这门课程"),
    ("no such department", "没有这个部门"),
    ("no such team", "没有这个班组"),
    ("no such training course", "没有这门培训课程"),
    ("no such user", "没有这个用户"),
    // --- CONFLICT ---
    (
        "the ticket was changed by someone else; reload it and try again",
        "工单已被他人修改，请刷新后重试",
    ),
    (
        "the ticket was changed by someone else (you have version {expected}, it is now at {version}); reload it and try again",
        "工单已被他人修改（您的版本为 {expected}，当前版本为 {version}），请刷新后重试",
    ),
    (
        "the article was changed by someone else (you have version {expected}, it is now at {version}); reload it and try again",
        "文章已被他人修改（您的版本为 {expected}，当前版本为 {version}），请刷新后重试",
    ),
    (
        "the calendar was changed by someone else (you have version {expected}, it is now at {version}); reload it and try again",
        "日历已被他人修改（您的版本为 {expected}，当前版本为 {version}），请刷新后重试",
    ),
    (
        "the review was changed by someone else; reload it and try again",
        "评估已被他人修改，请刷新后重试",
    ),
    (
        "the training record was changed by someone else; reload it and try again",
        "培训记录已被他人修改，请刷新后重试",
    ),
    (
        "the corrective action was changed by someone else; reload it and try again",
        "整改措施已被他人修改，请刷新后重试",
    ),
    (
        "the customer record changed concurrently; try again",
        "客户资料同时被他人修改，请重试",
    ),
    (
        "tickets on this calendar kept changing while their due times were counted again; try again",
        "重新计算到期时间期间，使用该日历的工单一直在变化，请重试",
    ),
    (
        "a ticket was taken for the merged record meanwhile; try again",
        "合并期间有工单被关联到了该客户资料，请重试",
    ),
    (
        "another customer record has this email address",
        "已有其他客户资料使用此邮箱地址",
    ),
    (
        "another customer record has this phone number",
        "已有其他客户资料使用此电话号码",
    ),
    (
        "this person is already enrolled in this session",
        "此人已报名该培训场次",
    ),
    (
        "someone has already taken this escalation",
        "该升级已被其他人接手",
    ),
    (
        "only the people this escalation was routed to, or a manager, may acknowledge it",
        "只有该升级所送达的人员或经理可以确认",
    ),
    ("escalation not found", "未找到该升级"),
    (
        "the working group has at most {MAX_WORKING_GROUP} members",
        "工作小组最多 {MAX_WORKING_GROUP} 名成员",
    ),
    (
        "every member must be an active staff account",
        "每位成员都必须是在职员工账号",
    ),
    (
        "that person already holds this ticket",
        "此人已经在处理该工单",
    ),
    (
        "that person already owns this ticket",
        "此人已经是该工单的负责人",
    ),
    (
        "this article is already linked to the ticket",
        "该文章已关联到此工单",
    ),
    ("this invitation was answered already", "该邀请已经答复过了"),
    (
        "this invitation was answered already, or its survey closed",
        "该邀请已经答复过，或所属调查已结束",
    ),
    (
        "this resolution has already been rated",
        "该解决结果已经评过分了",
    ),
    (
        "this review has already been acknowledged",
        "该评估已经确认过了",
    ),
    (
        "this review is finalized and can no longer change",
        "该评估已定稿，不能再修改",
    ),
    ("this survey is closed already", "该调查已经结束"),
    ("this survey is not taking answers", "该调查当前不接受答复"),
    ("this survey was launched already", "该调查已经发布"),
    ("this task is already {status}", "该任务{status}"),
    (
        "the self assessment for this cycle has already been submitted",
        "本周期的自评已经提交过了",
    ),
    (
        "the session is full: all {seats} seats are taken",
        "该场次已满：{seats} 个名额均已报满",
    ),
    (
        "the verdict is recorded; the employees it names no longer change",
        "判定已记录，涉及的员工不能再更改",
    ),
    (
        "the ticket is already with the complaint-handling working group (level 3)",
        "该工单已在投诉处理工作组（三级）处理中",
    ),
    (
        "you already hold {open} open tickets, your capacity; hand one over or ask your supervisor",
        "您手上已有 {open} 张未结工单，已达上限；请先转交一张，或联系您的主管",
    ),
    ("hand over to someone else", "请转交给其他人"),
    ("nobody worked this ticket", "该工单没有人处理过"),
    (
        "both customer records belong to an app account; they cannot be merged",
        "两份客户资料都绑定了 App 账号，无法合并",
    ),
    (
        "a customer record cannot be merged into itself",
        "客户资料不能与自身合并",
    ),
    (
        "only a draft survey can be launched",
        "只有草稿状态的调查可以发布",
    ),
    (
        "only a published article can be recorded as a ticket's solution",
        "只有已发布的文章可以记录为工单的解决方案",
    ),
    (
        "only published articles are rated",
        "只能为已发布的文章评分",
    ),
    (
        "only resolved or closed tickets are inspected",
        "只有已解决或已关闭的工单可以质检",
    ),
    (
        "case studies are written from resolved or closed tickets",
        "案例分析只能基于已解决或已关闭的工单撰写",
    ),
    (
        "the manager assessment follows the employee's self assessment",
        "经理评估需在员工自评之后进行",
    ),
    (
        "a review is finalized after the manager assessment",
        "评估需在经理评估之后才能定稿",
    ),
    (
        "this kind closes after its follow-up visit, not by itself",
        "此类工单需在回访后关闭，不能直接关闭",
    ),
    // --- INVALID_TRANSITION (actions and moves are terms) ---
    (
        "cannot {action} a ticket that is {status}; allowed from {status}: {allowed}",
        "当前状态为 {status}，不能{action}；该状态下允许的操作：{allowed}",
    ),
    (
        "cannot {action}: the training record is {status}; allowed from {status}: {allowed}",
        "培训记录当前状态为 {status}，不能{action}；该状态下允许的操作：{allowed}",
    ),
    ("set to {status}", "改为 {status}"),
    // --- BAD_USER_INPUT ---
    ("{date}: {message}", "{date}：{message}"),
    ("{label} is required", "{label}为必填项"),
    (
        "{label} must be at most {max} characters long",
        "{label}最多 {max} 个字符",
    ),
    ("{date} is not in {year}", "{date} 不在 {year} 年内"),
    ("a referenced record does not exist", "引用的记录不存在"),
    (
        "a calendar is required: calendarId, or timeZone and windows",
        "必须指定日历：calendarId，或 timeZone 加 windows",
    ),
    (
        "give either calendarId or timeZone and windows, not both",
        "calendarId 与 timeZone 加 windows 只能二选一",
    ),
    ("a complaint needs a category", "投诉需要选择分类"),
    (
        "a complaint report covers everyone or one department",
        "投诉报表只能覆盖全部人员或单个部门",
    ),
    (
        "complaint analytics need a department",
        "投诉分析需要指定部门",
    ),
    (
        "a customer has at most {MAX_TAGS} tags",
        "每个客户最多 {MAX_TAGS} 个标签",
    ),
    (
        "a scorecard has at most {max_criteria} criteria",
        "一张评分表最多有 {max_criteria} 项标准",
    ),
    (
        "recommend at most {MAX_RECOMMENDED_COURSES} courses",
        "最多推荐 {MAX_RECOMMENDED_COURSES} 门课程",
    ),
    (
        "text may not contain the NUL character (U+0000)",
        "文本中不能包含 NUL 字符（U+0000）",
    ),
    (
        "batched requests are not supported: send one operation per request",
        "不支持批量请求：每个请求只发送一个操作",
    ),
    ("the request body is larger than 1 MiB", "请求体超过 1 MiB"),
    ("the request body could not be read", "无法读取请求体"),
    (
        "together the records have more than {MAX_TAGS} tags; remove some first",
        "合并后的标签超过 {MAX_TAGS} 个，请先删除一些",
    ),
    (
        "a placeholder is not closed: write {{{{customer.name}}}}",
        "占位符没有闭合：请写成 {{{{customer.name}}}}",
    ),
    (
        "unknown placeholder {{{{{name}}}}}; use one of {names}",
        "未知的占位符 {{{{{name}}}}}；可用的有：{names}",
    ),
    (
        "a report covers at most {MAX_WINDOW_DAYS} days",
        "报表最多覆盖 {MAX_WINDOW_DAYS} 天",
    ),
    (
        "a survey covers at most {MAX_WINDOW_DAYS} days of resolved tickets",
        "调查最多覆盖 {MAX_WINDOW_DAYS} 天内解决的工单",
    ),
    (
        "a survey has at most {n} questions",
        "一份调查最多 {n} 个问题",
    ),
    ("a shift lasts at most 24 hours", "一个班次最长 24 小时"),
    (
        "a single-choice question needs 2 to {MAX_CHOICES} choices",
        "单选题需要 2 到 {MAX_CHOICES} 个选项",
    ),
    (
        "a tag must be at most {MAX_TAG_CHARS} characters",
        "标签最多 {MAX_TAG_CHARS} 个字符",
    ),
    ("a tag must not be empty", "标签不能为空"),
    (
        "a ticket holds at most {MAX_ATTACHMENTS} attachments; it has {existing} already",
        "每张工单最多 {MAX_ATTACHMENTS} 个附件，目前已有 {existing} 个",
    ),
    (
        "at most {MAX_ATTACHMENTS} attachments are allowed",
        "最多允许 {MAX_ATTACHMENTS} 个附件",
    ),
    ("a time zone is required", "必须指定时区"),
    (
        "a time zone is required, as an IANA name such as Asia/Shanghai",
        "必须指定时区，使用 IANA 名称，例如 Asia/Shanghai",
    ),
    (
        "unknown time zone `{name}`; use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC",
        "未知的时区 `{name}`；请使用 IANA 名称，例如 Asia/Shanghai、Europe/Berlin 或 UTC",
    ),
    ("add at least one file", "请至少添加一个文件"),
    ("answer at least one question", "请至少回答一个问题"),
    ("answer yes or no", "请回答“是”或“否”"),
    ("at least one role is required", "至少需要一个角色"),
    (
        "at most {MAX_DAYS_PER_CALL} days at a time",
        "每次最多 {MAX_DAYS_PER_CALL} 天",
    ),
    (
        "at most {MAX_HANDOVER_TICKETS} tickets at once",
        "每次最多 {MAX_HANDOVER_TICKETS} 张工单",
    ),
    (
        "at most {MAX_QUERY_CHARS} characters",
        "最多 {MAX_QUERY_CHARS} 个字符",
    ),
    ("at most {MAX_SKILLS} skills", "最多 {MAX_SKILLS} 项技能"),
    ("at most {MAX_TAGS} tags", "最多 {MAX_TAGS} 个标签"),
    (
        "at most {MAX_TASKS_PER_DISPATCH} departments at once",
        "每次最多派发给 {MAX_TASKS_PER_DISPATCH} 个部门",
    ),
    (
        "at most {n} buckets; choose a wider bucket or a shorter period",
        "最多 {n} 个统计区间；请选择更大的区间粒度或更短的时间段",
    ),
    ("too many trend buckets", "趋势统计区间过多"),
    (
        "attachment URI must start with https:// or s3://, contain no spaces and be at most {MAX_URI_CHARS} characters long",
        "附件 URI 必须以 https:// 或 s3:// 开头，不能包含空格，且最多 {MAX_URI_CHARS} 个字符",
    ),
    ("choose one of: {choices}", "请从以下选项中选择：{choices}"),
    (
        "courses are for staff; CUSTOMER cannot be required to take one",
        "课程面向员工，不能要求 CUSTOMER 参加",
    ),
    (
        "each department is named once per dispatch",
        "每次派发中每个部门只能出现一次",
    ),
    ("each key once", "每个 key 只能出现一次"),
    (
        "every id must name an active staff member",
        "每个 id 都必须对应一名在职员工",
    ),
    (
        "file name must be 1 to {MAX_FILE_NAME_CHARS} characters long",
        "文件名长度须为 1 到 {MAX_FILE_NAME_CHARS} 个字符",
    ),
    (
        "file name must not contain slashes, backslashes or control characters",
        "文件名不能包含斜杠、反斜杠或控制字符",
    ),
    (
        "file size must be between 1 byte and 50 MiB",
        "文件大小须在 1 字节到 50 MiB 之间",
    ),
    (
        "give a new kind, severity, category or priority",
        "请提供新的类型、严重程度、分类或优先级",
    ),
    (
        "nothing changes: give a new kind, severity, category or priority",
        "没有任何变化：请提供新的类型、严重程度、分类或优先级",
    ),
    (
        "give a whole number from {low} to {high}",
        "请输入 {low} 到 {high} 之间的整数",
    ),
    (
        "give between 1 and {MAX_CRITERIA} criteria",
        "请提供 1 到 {MAX_CRITERIA} 项评分标准",
    ),
    (
        "give between 1 and {MAX_QUESTIONS} questions",
        "请提供 1 到 {MAX_QUESTIONS} 个问题",
    ),
    ("must be after from", "必须晚于 from"),
    ("must be after resolvedFrom", "必须晚于 resolvedFrom"),
    ("must be after startsAt", "必须晚于 startsAt"),
    ("must not be before from", "不能早于 from"),
    (
        "must be an active staff member who works tickets",
        "必须是处理工单的在职员工",
    ),
    ("must name an active staff member", "必须是在职员工"),
    ("must be at most {max} characters", "最多 {max} 个字符"),
    (
        "must be between {low} and {high}",
        "必须在 {low} 到 {high} 之间",
    ),
    (
        "must be between 1 and {MAX_MINUTES} (24 hours)",
        "必须在 1 到 {MAX_MINUTES} 之间（24 小时）",
    ),
    (
        "must be between 1 and {MAX_VALIDITY_MONTHS} months, or left out",
        "必须在 1 到 {MAX_VALIDITY_MONTHS} 个月之间，或不填",
    ),
    (
        "must be between 1 minute and a year",
        "必须在 1 分钟到 1 年之间",
    ),
    ("rating must be between 1 and 5", "评分必须在 1 到 5 之间"),
    ("must not be empty", "不能为空"),
    ("must not be in the future", "不能是将来的时间"),
    ("must not be negative", "不能为负数"),
    ("name at least one department", "请至少指定一个部门"),
    ("name at most {n} employees", "最多指定 {n} 名员工"),
    (
        "name between 1 and {MAX_CORRECTIVE_TICKETS} complaints",
        "请指定 1 到 {MAX_CORRECTIVE_TICKETS} 条投诉",
    ),
    ("name the department", "请指定部门"),
    ("name the team", "请指定班组"),
    (
        "name the employees involved or the department responsible before finding the complaint justified",
        "判定投诉成立前，请先指明涉及的员工或责任部门",
    ),
    (
        "not a criterion of this scorecard",
        "不是此评分表中的评分标准",
    ),
    ("not a cursor from this list", "不是此列表的游标"),
    (
        "not a cursor from this list and order",
        "不是此列表及排序方式下的游标",
    ),
    ("not a cursor from this queue", "不是此队列的游标"),
    ("not a cursor from this search", "不是此次搜索的游标"),
    ("not a review id", "不是有效的评估 id"),
    ("not an escalation id", "不是有效的升级 id"),
    ("not a valid email address", "不是有效的邮箱地址"),
    ("not a valid id", "不是有效的 id"),
    ("not a valid phone number", "不是有效的电话号码"),
    ("only complaints have a category", "只有投诉才有分类"),
    ("only complaints have a severity", "只有投诉才有严重程度"),
    (
        "only praise names who is praised",
        "只有表扬才需要指明被表扬的对象",
    ),
    (
        "praise must name the employee, team or department being praised",
        "表扬必须指明被表扬的员工、班组或部门",
    ),
    (
        "only single-choice questions have choices",
        "只有单选题才有选项",
    ),
    (
        "only suggestions have an adoption status",
        "只有建议才有采纳状态",
    ),
    (
        "pass either first or last, not both",
        "first 和 last 只能二选一",
    ),
    (
        "priority may be raised but not lowered below {default} for this ticket",
        "该工单的优先级可以提高，但不能低于 {default}",
    ),
    (
        "record JUSTIFIED or UNJUSTIFIED",
        "请记录 JUSTIFIED（成立）或 UNJUSTIFIED（不成立）",
    ),
    ("revising a verdict needs a reason", "修改判定需要填写理由"),
    (
        "score every criterion exactly once (`{missing}`)",
        "每项评分标准都需且仅需评分一次（`{missing}`）",
    ),
    (
        "staff intake must name the customer",
        "员工代为登记时必须指明客户",
    ),
    ("staff open follow-up cases", "回访工单由员工创建"),
    ("the choice {c} is given twice", "选项 {c} 重复了"),
    ("the key {key} is used twice", "key {key} 重复使用了"),
    (
        "the question {key} is answered twice",
        "问题 {key} 被回答了两次",
    ),
    (
        "this survey has no question with that key",
        "该调查中没有这个 key 对应的问题",
    ),
    (
        "the file holds no all-day events to import",
        "文件中没有可导入的全天事件",
    ),
    (
        "the file is larger than {n} KiB; split it by year",
        "文件超过 {n} KiB，请按年份拆分",
    ),
    (
        "the file names more than {MAX_IMPORTED_DAYS} days; import it a year at a time",
        "文件包含超过 {MAX_IMPORTED_DAYS} 天，请每次导入一年",
    ),
    (
        "the iCalendar file could not be read; check that it is complete and unaltered",
        "无法读取该 iCalendar 文件，请确认文件完整且未被修改",
    ),
    (
        "this is not an iCalendar file: it must start with BEGIN:VCALENDAR",
        "这不是 iCalendar 文件：文件必须以 BEGIN:VCALENDAR 开头",
    ),
    (
        "the resolution target cannot be shorter than the first-response target",
        "解决时限不能短于首次响应时限",
    ),
    ("the scorecard has no criteria", "该评分表没有评分标准"),
    (
        "the session must end after it starts",
        "场次的结束时间必须晚于开始时间",
    ),
    (
        "the stored special days are unreadable",
        "已保存的特殊日期无法读取",
    ),
    (
        "the supervisor must be an active user with the SUPERVISOR role",
        "主管必须是拥有 SUPERVISOR 角色的在职用户",
    ),
    (
        "the trainer must be an active user with the TRAINER role",
        "培训师必须是拥有 TRAINER 角色的在职用户",
    ),
    (
        "the team belongs to another department",
        "该班组属于其他部门",
    ),
    (
        "the validity runs past the calendar's end",
        "有效期超出了日历的结束日期",
    ),
    (
        "this file type is not accepted; use an image, PDF, text, audio, video, Word or Excel file",
        "不支持此文件类型；请使用图片、PDF、文本、音频、视频、Word 或 Excel 文件",
    ),
    ("type something to search for", "请输入要搜索的内容"),
    (
        "use 1 to 40 lower-case letters, digits and underscores",
        "请使用 1 到 40 个小写字母、数字和下划线",
    ),
    (
        "use 1 to 40 lower-case letters, digits or underscores",
        "请使用 1 到 40 个小写字母、数字或下划线",
    ),
    // --- HTTP and protocol (BAD_REQUEST, persisted operations, limits) ---
    (
        "send the request as application/json",
        "请以 application/json 格式发送请求",
    ),
    (
        "a multipart request must carry an Authorization or Apollo-Require-Preflight header",
        "multipart 请求必须带有 Authorization 或 Apollo-Require-Preflight 请求头",
    ),
    (
        "the body is not a GraphQL multipart request: expected the operations, map and file parts",
        "请求体不是 GraphQL multipart 请求：应包含 operations、map 和文件部分",
    ),
    (
        "the upload is larger than the {max} bytes a file may have",
        "上传的文件超过了单个文件允许的 {max} 字节",
    ),
    // --- Files ---
    ("file not found", "找不到该文件"),
    (
        "this download link is not valid or has expired",
        "该下载链接无效或已过期",
    ),
    (
        "the file part of the request is missing",
        "请求中缺少文件部分",
    ),
    (
        "a file may be at most {max} bytes",
        "单个文件最多 {max} 字节",
    ),
    ("the file is empty", "文件为空"),
    (
        "this kind of file is not accepted; allowed are {kinds}",
        "不接受此类文件；允许的类型为：{kinds}",
    ),
    (
        "every id must name a file you uploaded that is not attached yet",
        "每个 id 都必须是您上传且尚未附加的文件",
    ),
    ("name at most {max} files", "最多指定 {max} 个文件"),
    ("names the same file twice", "同一个文件被指定了两次"),
    (
        "a file was attached by another request meanwhile; upload it again",
        "该文件已被另一个请求附加，请重新上传",
    ),
    (
        "the body is not a GraphQL request: expected {{\"query\": ..., \"variables\": ...}}",
        "请求体不是 GraphQL 请求：应为 {{\"query\": ..., \"variables\": ...}}",
    ),
    (
        "pass the operation as ?query=…&variables=…",
        "请以 ?query=…&variables=… 的形式传递操作",
    ),
    (
        "only queries may be sent with GET; use POST for mutations",
        "GET 只能发送查询；变更（mutation）请使用 POST",
    ),
    (
        "accept application/graphql-response+json or application/json",
        "请接受 application/graphql-response+json 或 application/json",
    ),
    (
        "this deployment runs only its trusted operations; send the hash of one",
        "本服务只执行受信任的操作，请发送其中一个操作的哈希值",
    ),
    (
        "only version 1 of the persistedQuery extension is supported",
        "persistedQuery 扩展只支持版本 1",
    ),
    (
        "persistedQuery.sha256Hash must be 64 hex digits",
        "persistedQuery.sha256Hash 必须是 64 位十六进制数",
    ),
    (
        "provided sha256Hash does not match the query",
        "提供的 sha256Hash 与查询不匹配",
    ),
    ("Query is nested too deep.", "查询嵌套层级过深。"),
    (
        "The recursion depth of the query cannot be greater than `{MAX_NESTING}`",
        "查询的嵌套深度不能超过 `{MAX_NESTING}`",
    ),
    (
        "the document stands for more than {MAX_EXPANDED_FIELDS} fields once its fragments are spread; ask for less",
        "展开片段后该文档包含超过 {MAX_EXPANDED_FIELDS} 个字段；请减少请求的内容",
    ),
    ("Query is too complex.", "查询过于复杂。"),
    (
        "the document uses {aliases} aliases; at most {MAX_ALIASES} are allowed",
        "该文档使用了 {aliases} 个别名，最多允许 {MAX_ALIASES} 个",
    ),
    (
        "a mutation may hold at most {MAX_ROOT_MUTATIONS} fields, not {mutations}",
        "一个变更（mutation）最多包含 {MAX_ROOT_MUTATIONS} 个字段，当前为 {mutations} 个",
    ),
    // --- async-graphql's own parse and validation messages ---
    (
        "Unknown field \"{field}\" on type \"{ty}\".{hint}",
        "类型 \"{ty}\" 上没有字段 \"{field}\"。{hint}",
    ),
    (
        "Unknown argument \"{arg}\" on field \"{field}\" of type \"{ty}\".{hint}",
        "类型 \"{ty}\" 的字段 \"{field}\" 没有参数 \"{arg}\"。{hint}",
    ),
    (
        "Field \"{field}\" argument \"{arg}\" of type \"{ty}\" is required but not provided",
        "类型 \"{ty}\" 的字段 \"{field}\" 缺少必填参数 \"{arg}\"",
    ),
    (
        "Field \"{field}\" must not have a selection since type \"{ty}\" has no subfields",
        "字段 \"{field}\" 的类型 \"{ty}\" 没有子字段，不能再选择子字段",
    ),
    (
        "Field \"{field}\" of type \"{ty}\" must have a selection of subfields",
        "字段 \"{field}\"（类型 \"{ty}\"）必须选择子字段",
    ),
    (
        "Invalid value for argument {reason}",
        "参数值无效：{reason}",
    ),
    (
        "Variable \"${var}\" is not defined by operation \"{op}\"",
        "变量 \"${var}\" 未在操作 \"{op}\" 中定义",
    ),
    (
        "Variable \"${var}\" is not defined",
        "变量 \"${var}\" 未定义",
    ),
    (
        "Variable \"${var}\" is not used by operation \"{op}\"",
        "变量 \"${var}\" 未在操作 \"{op}\" 中使用",
    ),
    (
        "Variable \"${var}\" is not used",
        "变量 \"${var}\" 未被使用",
    ),
    (
        "Unknown operation named \"{op}\"",
        "找不到名为 \"{op}\" 的操作",
    ),
    (
        "Operation name required in request.",
        "请求中需要指定操作名称（operationName）。",
    ),
    ("Unknown directive \"{name}\"", "未知的指令 \"{name}\""),
    ("Unknown fragment: \"{name}\"", "未知的片段：\"{name}\""),
    ("Unknown type \"{name}\"", "未知的类型 \"{name}\""),
    ("Did you mean {suggestion}?", "您是不是想用 {suggestion}？"),
    // A syntax error names the place in the document, as pest draws it.
    (" --> {place}", "查询文档有语法错误：\n --> {place}"),
    (
        "Failed to parse \"{ty}\": {reason}",
        "无法解析 \"{ty}\"：{reason}",
    ), // --- The conversation (docs/CONVERSATION.md) ---
    (
        "quiet hours look like 22:00-08:00 (local start and end, 24-hour clock)",
        "免打扰时段的格式如 22:00-08:00（当地开始和结束时间，24 小时制）",
    ),
    (
        "quiet hours must start and end at different times",
        "免打扰时段的开始和结束时间不能相同",
    ),
    ("name at least one channel", "请至少指定一个渠道"),
    ("{c} is listed twice", "{c} 重复列出"),
    (
        "not a time zone: use an IANA name like Asia/Shanghai",
        "不是有效的时区：请使用 IANA 名称，如 Asia/Shanghai",
    ),
    ("the language is zh-CN or en", "语言只能是 zh-CN 或 en"),
    (
        "a {{{{ placeholder is not closed with }}}}",
        "占位符 {{{{ 没有用 }}}} 闭合",
    ),
    (
        "unknown placeholder {{{{{unknown}}}}}; known: {known}",
        "未知的占位符 {{{{{unknown}}}}}；可用的有：{known}",
    ),
    (
        "this ticket is closed: ask for it to be reopened, or open a new one",
        "该工单已关闭：请申请重新打开，或新建工单",
    ),
    (
        "the promised answer time must be in the future",
        "承诺的答复时间必须在将来",
    ),
    (
        "the template was changed at the same time; try again",
        "模板同时被他人修改，请重试",
    ),
    (
        "name at most {MAX_MARK_READ} entries at once",
        "一次最多标记 {MAX_MARK_READ} 条",
    ),
    ("an email template needs a subject", "邮件模板需要主题"),
    ("only email templates have a subject", "只有邮件模板有主题"),
    (
        "no failed delivery with that id",
        "没有该 ID 的发送失败记录",
    ),
    // --- Subscriptions (LAGGED) ---
    (
        "this subscription fell {skipped} events behind and was ended; refetch, then subscribe again",
        "该订阅落后了 {skipped} 条事件，已被结束；请重新获取数据后再订阅",
    ),
];

/// Words and phrases that fill placeholders: what was not found, the moves of a status
/// machine, the actions of the permission model, labels.
const TERMS: &[(&str, &str)] = &[
    // What `{what} not found` names.
    ("SLA policy", "SLA 策略"),
    ("article", "文章"),
    ("calendar", "日历"),
    ("corrective action", "整改措施"),
    ("customer", "客户"),
    ("department", "部门"),
    ("escalation", "升级记录"),
    ("invitation", "调查邀请"),
    ("parent ticket", "父工单"),
    ("performance review", "绩效评估"),
    ("quality review", "质检记录"),
    ("survey", "调查"),
    ("ticket", "工单"),
    ("training record", "培训记录"),
    ("training session", "培训场次"),
    ("user", "用户"),
    // Department task statuses (`this task is already {status}`).
    ("answered", "已答复"),
    ("cancelled", "已取消"),
    ("gone", "已删除"),
    // Labels of required text.
    ("subject", "标题"),
    ("description", "问题描述"),
    // Moves of tickets, articles, corrective actions and training records.
    ("nothing", "无"),
    ("acknowledge", "受理"),
    ("assign", "分配"),
    ("claim", "认领"),
    ("dispatch", "派发给部门"),
    ("hand back", "退回"),
    ("hand over", "转交"),
    ("resolve", "解决"),
    ("record a follow-up", "记录回访"),
    ("close", "关闭"),
    (
        "close (a complaint needs a recorded verdict and root cause first)",
        "关闭（投诉需先记录判定结果和根本原因）",
    ),
    ("rate", "评分"),
    ("reopen", "重新打开"),
    ("transfer ownership", "转移负责人"),
    ("reply to the customer", "回复客户"),
    ("escalate", "升级"),
    ("name the employees involved in", "指明涉及的员工"),
    ("set to OPEN", "改为 OPEN"),
    ("set to PENDING_CUSTOMER", "改为 PENDING_CUSTOMER"),
    ("reclassify", "重新分类"),
    ("add attachments to", "添加附件"),
    ("edit", "编辑"),
    ("submit", "提交审核"),
    ("publish", "发布"),
    ("archive", "归档"),
    ("mark done", "标记为已完成"),
    ("verify", "验证"),
    ("record attendance", "记录出勤"),
    ("record an assessment", "记录考核结果"),
    ("submit feedback", "提交反馈"),
    // Actions of the permission model (`you are not allowed to {action}`).
    ("read the staff directory", "查看员工通讯录"),
    ("read departments", "查看部门"),
    ("read customer accounts", "查看客户账号"),
    ("create users", "创建用户"),
    ("activate or deactivate users", "启用或停用用户"),
    ("create departments and teams", "创建部门和班组"),
    ("set presence", "设置在线状态"),
    ("create tickets", "创建工单"),
    ("read tickets", "查看工单"),
    ("acknowledge tickets", "受理工单"),
    ("assign tickets", "分配工单"),
    ("claim tickets", "认领工单"),
    ("dispatch tickets to departments", "将工单派发给部门"),
    ("add internal notes", "添加内部备注"),
    ("reply to customers", "回复客户"),
    (
        "change ticket status, resolve and close tickets",
        "更改工单状态、解决和关闭工单",
    ),
    ("reopen tickets", "重新打开工单"),
    ("record follow-up visits", "记录回访"),
    ("rate tickets", "为工单评分"),
    ("escalate tickets", "升级工单"),
    ("acknowledge escalations", "确认升级"),
    ("list overdue corrective actions", "查看逾期的整改措施"),
    (
        "set the complaint-handling working group",
        "设置投诉处理工作小组",
    ),
    ("transfer ticket ownership", "转移工单负责人"),
    ("set suggestion status", "设置建议的采纳状态"),
    ("manage corrective actions", "管理整改措施"),
    ("verify corrective actions", "验证整改措施"),
    ("watch the live queue and escalations", "查看实时队列和升级"),
    ("change SLA policies", "修改 SLA 策略"),
    ("read business calendars", "查看工作日历"),
    ("reclassify tickets", "重新分类工单"),
    ("add evidence to tickets", "为工单添加证据"),
    ("answer department tasks", "答复部门任务"),
    ("read the knowledge base", "查看知识库"),
    ("write knowledge articles", "撰写知识库文章"),
    (
        "publish and archive knowledge articles",
        "发布和归档知识库文章",
    ),
    ("create reply templates", "创建回复模板"),
    ("edit business calendars", "编辑工作日历"),
    ("plan shifts", "排班"),
    ("record shift handovers", "记录交接班"),
    ("manage courses and sessions", "管理课程和场次"),
    ("record attendance and assessments", "记录出勤和考核结果"),
    ("read KPIs", "查看 KPI"),
    ("read complaint analytics", "查看投诉分析"),
    ("manage performance reviews", "管理绩效评估"),
    ("take part in performance reviews", "参与绩效评估"),
    ("read training", "查看培训"),
    ("read corrective actions", "查看整改措施"),
    (
        "name the employees a complaint is about",
        "指明投诉涉及的员工",
    ),
    ("record complaint verdicts", "记录投诉判定"),
    ("define quality scorecards", "制定质检评分表"),
    ("inspect the quality of tickets", "质检工单"),
    ("read quality reviews", "查看质检结果"),
    ("search and read customer records", "搜索和查看客户资料"),
    (
        "edit customer contact data and tags",
        "编辑客户联系方式和标签",
    ),
    (
        "set customer tiers and merge customer records",
        "设置客户等级和合并客户资料",
    ),
    (
        "write, launch and close satisfaction surveys",
        "编写、发布和结束满意度调查",
    ),
    ("read surveys and their results", "查看调查及其结果"),
    ("answer survey invitations", "答复调查邀请"),
    ("log time spent on tickets", "登记工单耗时"),
    ("generate reports", "生成报表"),
    ("read and download reports", "查看和下载报表"),
    (
        "write on tickets as their customer",
        "以客户身份在工单上留言",
    ),
    ("promise customers an answer time", "向客户承诺答复时间"),
    ("set customers' contact preferences", "设置客户的联系偏好"),
    (
        "read the templates of messages to customers",
        "查看发给客户的消息模板",
    ),
    (
        "edit the templates of messages to customers",
        "编辑发给客户的消息模板",
    ),
    (
        "see and retry failed deliveries to customers",
        "查看并重发发送失败的客户消息",
    ),
    (
        "connect, change and poll the department's mailboxes",
        "接入、修改和收取部门邮箱",
    ),
    ("mailbox", "邮箱"),
    ("schedule and work callbacks", "安排并处理回访回电"),
    (
        "read their teams' callbacks and awaited follow-ups",
        "查看所带团队的回访回电和待回访工单",
    ),
    (
        "close complaints whose customer still disagrees",
        "在客户仍不接受时结案",
    ),
    ("the due time is in the past", "到期时间已经过去"),
    (
        "the due time is more than a year ahead",
        "到期时间超过一年以后",
    ),
    (
        "this callback is assigned to someone else; only its assignee completes it",
        "该回访已分派给他人，只有被分派人可以完成",
    ),
    (
        "only the callback's assignee or a team lead may move or cancel it",
        "只有回访的被分派人或主管可以改期或取消",
    ),
    ("this callback is already done", "该回访已完成"),
    ("this callback was cancelled", "该回访已取消"),
    ("escalate an overdue callback on", "因回访逾期升级"),
    (
        "the customer has to be called again after the unsatisfied follow-up (a CALLBACK done) before the ticket closes with them disagreeing",
        "回访客户不满意后，须再次致电客户(完成一次回电)才能在客户仍不接受时结案",
    ),
    (
        "the callback was changed by someone else; reload it and try again",
        "该回访已被他人修改，请刷新后重试",
    ),
    ("callback", "回访"),
    (
        "you register feedback for your department, and you have none",
        "您只能为本部门登记反馈，但您未隶属任何部门",
    ),
    (
        "give a ticket or a customer, not both",
        "请指定工单或客户，不能同时指定",
    ),
    (
        "give the ticket the callback is about, or the customer for a care call",
        "请指定回访所关联的工单，关怀回访请指定客户",
    ),
    (
        "a follow-up visit is scheduled when its ticket is resolved",
        "回访在工单解决时自动安排",
    ),
    (
        "only a team lead may call off a follow-up visit",
        "只有主管可以取消回访",
    ),
    (
        "you schedule care calls only for customers you serve",
        "您只能为自己服务的客户安排关怀回访",
    ),
    (
        "say whether the customer was satisfied at the follow-up visit",
        "请说明客户在回访时是否满意",
    ),
    ("you do not lead that team", "您不是该班组的主管"),
    ("promise an answer on", "承诺答复时间于"),
    ("template", "模板"),
];

/// One piece of a template.
#[derive(Debug)]
enum Piece {
    Text(String),
    Slot(String),
}

/// Splits a `format!`-style template into text and named slots.
fn pieces(template: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    name.push(c);
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Slot(name));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// A template with every placeholder written `{}`: how sources and catalogue are compared.
pub fn normalize(template: &str) -> String {
    pieces(template)
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.replace('{', "{{").replace('}', "}}"),
            Piece::Slot(_) => "{}".to_owned(),
        })
        .collect()
}

struct Entry {
    english: Vec<Piece>,
    chinese: Vec<Piece>,
    /// Literal characters of the English template: longer templates are tried first.
    weight: usize,
}

struct Catalogue {
    exact: HashMap<String, String>,
    templates: Vec<Entry>,
    terms: HashMap<&'static str, &'static str>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut exact = HashMap::new();
    let mut templates = Vec::new();
    for (english, chinese) in MESSAGES {
        let english = pieces(english);
        if let [Piece::Text(text)] = english.as_slice() {
            let chinese: String = pieces(chinese)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) => t,
                    Piece::Slot(s) => s,
                })
                .collect();
            exact.insert(text.clone(), chinese);
        } else {
            let weight = english
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.chars().count(),
                    Piece::Slot(_) => 0,
                })
                .sum();
            templates.push(Entry {
                english,
                chinese: pieces(chinese),
                weight,
            });
        }
    }
    templates.sort_by_key(|entry| std::cmp::Reverse(entry.weight));
    Catalogue {
        exact,
        templates,
        terms: TERMS.iter().copied().collect(),
    }
});

/// Matches `text` against `pieces`, collecting the slots' values (backtracking over where
/// each slot ends).
fn matches<'t>(pieces: &[Piece], text: &'t str, found: &mut Vec<(&'t str, usize)>) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(t), rest)) => text
            .strip_prefix(t.as_str())
            .is_some_and(|after| matches(rest, after, found)),
        Some((Piece::Slot(_), rest)) => {
            let index = found.len();
            match rest.first() {
                None => {
                    found.push((text, index));
                    true
                }
                Some(Piece::Text(next)) => {
                    for (at, _) in text.match_indices(next.as_str()) {
                        found.truncate(index);
                        found.push((&text[..at], index));
                        if matches(rest, &text[at..], found) {
                            return true;
                        }
                    }
                    found.truncate(index);
                    false
                }
                // Two slots side by side: the catalogue has none.
                Some(Piece::Slot(_)) => false,
            }
        }
    }
}

impl Catalogue {
    /// The Chinese for an English message, if the catalogue knows it.
    fn chinese(&self, message: &str) -> Option<String> {
        self.chinese_with(message, false)
    }

    /// [`Self::chinese`]; `strict` (for tests) also requires every placeholder's value to be
    /// translated, a number, or the sample value `X7`.
    fn chinese_with(&self, message: &str, strict: bool) -> Option<String> {
        if let Some(chinese) = self.exact.get(message) {
            return Some(chinese.clone());
        }
        if let Some(term) = self.terms.get(message) {
            return Some((*term).to_owned());
        }
        for entry in &self.templates {
            let mut found = Vec::new();
            if !matches(&entry.english, message, &mut found) {
                continue;
            }
            let mut values: HashMap<&str, &str> = HashMap::new();
            let slots = entry.english.iter().filter_map(|p| match p {
                Piece::Slot(name) => Some(name.as_str()),
                Piece::Text(_) => None,
            });
            for (name, (value, _)) in slots.zip(found) {
                values.entry(name).or_insert(value);
            }
            let mut out = String::new();
            let mut complete = true;
            for piece in &entry.chinese {
                match piece {
                    Piece::Text(t) => out.push_str(t),
                    Piece::Slot(name) => {
                        let value = values.get(name.as_str()).copied().unwrap_or("");
                        let (filled, translated) = self.fill(value, strict);
                        complete &= translated;
                        out.push_str(&filled);
                    }
                }
            }
            if strict && !complete {
                continue;
            }
            return Some(out);
        }
        None
    }

    /// A placeholder's value in Chinese: a term, a message, a list of terms, or as it is; and
    /// whether it was translated (or needs no translation, under `strict`).
    fn fill(&self, value: &str, strict: bool) -> (String, bool) {
        let trimmed = value.trim();
        if trimmed.is_empty() || trimmed == "X7" || trimmed.parse::<f64>().is_ok() {
            return (value.to_owned(), true);
        }
        if let Some(chinese) = self.chinese_with(trimmed, strict) {
            return (chinese, true);
        }
        let parts: Vec<&str> = trimmed.split(", ").collect();
        if parts.len() > 1 && parts.iter().all(|p| self.terms.contains_key(p)) {
            let list = parts.iter().map(|p| self.terms[p]).collect::<Vec<_>>();
            return (list.join("、"), true);
        }
        (value.to_owned(), false)
    }
}

/// Messages sent as they are in every language: protocol tokens clients compare.
const VERBATIM: &[&str] = &["PersistedQueryNotFound"];

/// `message` in `locale`. English is the source language; a Chinese message the catalogue
/// does not know (a library's, with names in it) keeps its text after a Chinese lead-in.
pub fn translate(message: &str, locale: Locale) -> String {
    match locale {
        Locale::En => message.to_owned(),
        Locale::ZhCn if VERBATIM.contains(&message) => message.to_owned(),
        Locale::ZhCn => CATALOGUE
            .chinese(message)
            .unwrap_or_else(|| format!("请求有误：{message}")),
    }
}

/// Rewrites the messages of `errors` into `locale`; nothing else changes.
pub fn localize(errors: &mut [ServerError], locale: Locale) {
    if locale == Locale::En {
        return;
    }
    for error in errors {
        error.message = translate(&error.message, locale);
    }
}

#[cfg(test)]
mod tests;
