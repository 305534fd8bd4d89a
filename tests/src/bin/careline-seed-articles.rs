//! Knowledge-search benchmark data: inserts N published knowledge articles (default 100,000)
//! into a PostgreSQL database, with Chinese, English and mixed titles and bodies generated from
//! word lists, so `searchKnowledge` can be measured over a realistic index.
//!
//! ```text
//! createdb careline_kb
//! cargo run --release -p careline-tests --bin careline-seed-articles -- \
//!     postgres://postgres@127.0.0.1:5432/careline_kb 100000
//! ```
//! The database is migrated first (as the server would at start); the authors are the demo
//! organisation's staff, so run the server once with `SEED_DEMO=true` against it before. Each
//! article gets its revision row and the `search_text` the server would write
//! (`careline_domain::knowledge::index_text`). The texts are deterministic: the same N gives the
//! same titles, bodies and tags. See docs/BENCHMARKS.md.

use careline_domain::knowledge::{ArticleKind, index_text, review_interval};
use careline_persistence::entity::{article_revision, knowledge_article};
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, Statement,
    TransactionTrait,
};
use std::time::Instant;
use uuid::Uuid;

/// Rows per multi-row INSERT (and per transaction).
const BATCH: usize = 1_000;

/// splitmix64: small, fast and good enough for word lists.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A subject area: its kind, tags, titles and sentences in both languages. `{p}` is a
/// product name, `{c}` a product code.
struct Topic {
    kind: ArticleKind,
    tags: &'static [&'static str],
    zh_titles: &'static [&'static str],
    en_titles: &'static [&'static str],
    zh: &'static [&'static str],
    en: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        kind: ArticleKind::Policy,
        tags: &["退货", "returns", "售后"],
        zh_titles: &[
            "{p}七天无理由退货规则",
            "{c} 退货流程说明",
            "退货运费由谁承担",
            "拆封后的{p}能否退货",
            "退货退款常见问题",
        ],
        en_titles: &[
            "Returns policy for the {p}",
            "How to return a {c}",
            "Who pays return shipping",
            "Returning an opened {p}",
        ],
        zh: &[
            "自签收之日起七天内，商品完好、配件齐全即可申请七天无理由退货。",
            "退货申请审核通过后，请在三天内将商品寄回指定仓库并填写快递单号。",
            "因质量问题退货的，往返运费由商家承担；非质量问题退货的运费由客户承担。",
            "仓库收到退货并验收合格后，退款将在三至五个工作日内原路返回。",
            "定制商品、已激活的软件和贴身用品不支持无理由退货。",
            "{p}退货时请一并寄回赠品和包装盒，缺少赠品将按价格扣减退款金额。",
            "客户要求退货但超过七天的，请引导其走保修或换货流程。",
        ],
        en: &[
            "Returns are accepted within seven days of delivery if the item is complete and undamaged.",
            "Once the return request is approved, ship the {p} back within three days and enter the tracking number.",
            "For a defective item we pay return shipping both ways; otherwise the customer pays it.",
            "Refunds go back to the original payment method within three to five working days after inspection.",
            "Customised items and activated software cannot be returned without a defect.",
            "Include the gift and the original box when returning a {c}, or the refund is reduced.",
        ],
    },
    Topic {
        kind: ArticleKind::Policy,
        tags: &["发票", "invoice", "财务"],
        zh_titles: &[
            "如何开具电子发票",
            "增值税专用发票申请",
            "{p}订单补开发票",
            "发票抬头填错怎么办",
            "发票与退货的关系",
        ],
        en_titles: &[
            "Requesting an invoice for a {p}",
            "VAT invoices for business customers",
            "Correcting the name on an invoice",
            "Invoices after a return",
        ],
        zh: &[
            "订单完成后可在订单详情页申请电子发票，发票将发送到预留邮箱。",
            "企业客户开具增值税专用发票需提供单位名称、税号、开户行及账号。",
            "发票抬头填写错误的，可在三十天内申请作废并重新开票。",
            "退货成功后原发票自动作废，部分退货将按剩余金额重新开具发票。",
            "纸质发票随{p}一同配送，丢失后可申请补开电子发票。",
            "发票内容默认为商品明细，不支持开具办公用品等笼统名目。",
        ],
        en: &[
            "An electronic invoice can be requested from the order page once the order is complete.",
            "Business customers need their company name and tax number for a VAT invoice.",
            "An invoice with a wrong name can be cancelled and reissued within thirty days.",
            "After a return the invoice is voided and a new one issued for what was kept.",
            "Paper invoices travel with the {p}; a lost one is replaced by an electronic invoice.",
        ],
    },
    Topic {
        kind: ArticleKind::Product,
        tags: &["保修", "warranty", "维修"],
        zh_titles: &[
            "{p}保修政策",
            "{c} 保修期与保修范围",
            "人为损坏是否保修",
            "延长保修服务介绍",
            "{p}维修网点查询",
        ],
        en_titles: &[
            "{p} warranty terms",
            "Warranty coverage of the {c}",
            "Is accidental damage covered by the warranty",
            "Extended warranty plans",
        ],
        zh: &[
            "{p}整机保修一年，电池、屏幕等主要部件保修两年，以发票日期为准。",
            "保修期内非人为损坏的故障可免费维修，需提供发票或电子保修卡。",
            "进水、摔落、私自拆机等人为损坏不在保修范围内，可付费维修。",
            "客户可在购买后三十天内加购延长保修服务，最长延至三年。",
            "{c} 寄修时请备份数据，维修中心检测后会发送检测报告。",
            "维修完成后更换的配件享有九十天保修。",
        ],
        en: &[
            "The {p} carries a one-year warranty, two years for the battery and screen.",
            "Faults not caused by the customer are repaired free of charge within the warranty period.",
            "Water damage, drops and opening the device void the warranty; paid repair is available.",
            "An extended warranty can be added within thirty days of purchase, up to three years.",
            "Back up data before sending the {c} for repair; the service centre sends an inspection report.",
        ],
    },
    Topic {
        kind: ArticleKind::Faq,
        tags: &["配送", "delivery", "物流"],
        zh_titles: &[
            "配送时效说明",
            "偏远地区配送",
            "如何修改配送地址",
            "{p}大件配送与安装",
            "快递显示已签收但未收到",
        ],
        en_titles: &[
            "Delivery times",
            "Delivery to remote areas",
            "Changing the delivery address",
            "Tracking a {p} delivery",
        ],
        zh: &[
            "现货商品下单后二十四小时内发货，一般地区三天内送达。",
            "偏远地区配送需要五至七天，部分地区需到附近网点自提。",
            "订单发货前可修改配送地址，发货后请联系快递公司转寄。",
            "{p}属于大件商品，配送前师傅会电话预约送货和上门安装时间。",
            "物流信息显示已签收但客户未收到的，请先核实代收人再向快递公司发起调查。",
            "配送途中外包装破损的，请当场拒收并拍照留证。",
        ],
        en: &[
            "Items in stock ship within 24 hours and arrive within three days in most areas.",
            "Delivery to remote areas takes five to seven days; some addresses use a pickup point.",
            "The delivery address can be changed until the order ships.",
            "Large items such as the {p} are delivered by appointment, with installation on request.",
            "If tracking says delivered but nothing arrived, check with neighbours before opening a claim.",
        ],
    },
    Topic {
        kind: ArticleKind::Faq,
        tags: &["支付", "payment", "退款"],
        zh_titles: &[
            "支付失败怎么办",
            "分期付款说明",
            "优惠券使用规则",
            "退款多久到账",
        ],
        en_titles: &[
            "Payment failed",
            "Paying in instalments",
            "Using coupons",
            "When will my refund arrive",
        ],
        zh: &[
            "支付失败多为银行卡限额或网络问题，请更换支付方式后重试。",
            "单笔订单满一千元可使用信用卡分期付款，三期免息。",
            "优惠券不可叠加使用，退货后已使用的优惠券不予退还。",
            "退款原路返回，银行卡一般三至五个工作日到账，余额即时到账。",
        ],
        en: &[
            "Most failed payments are card limits or network errors; try another payment method.",
            "Orders over 1,000 yuan can be paid in three interest-free instalments.",
            "Coupons cannot be combined and are not refunded after a return.",
            "Refunds to a bank card take three to five working days.",
        ],
    },
    Topic {
        kind: ArticleKind::Procedure,
        tags: &["账户", "account", "安全"],
        zh_titles: &[
            "修改密码与绑定手机号",
            "会员积分规则",
            "注销账户流程",
            "账户被盗处理流程",
        ],
        en_titles: &[
            "Changing a password",
            "Loyalty points",
            "Closing an account",
            "Handling a hijacked account",
        ],
        zh: &[
            "核实客户身份时须确认注册手机号后四位和最近一笔订单，禁止在电话中索要密码。",
            "会员积分在确认收货后发放，一百积分可抵扣一元，退货时扣回相应积分。",
            "注销账户前须确认没有未完成的订单、退货和售后工单。",
            "客户反映账户被盗的，先冻结账户再升级给安全团队处理。",
        ],
        en: &[
            "Verify the caller with the last four digits of the phone number and the latest order; never ask for a password.",
            "Points are credited when delivery is confirmed and taken back on a return.",
            "An account can only be closed with no open orders, returns or after-sales tickets.",
            "Freeze a hijacked account first, then escalate the ticket to the security team.",
        ],
    },
    Topic {
        kind: ArticleKind::Promotion,
        tags: &["活动", "promotion", "以旧换新"],
        zh_titles: &[
            "{p}以旧换新活动",
            "双十一价格保护说明",
            "{c} 限时优惠",
            "会员日活动规则",
        ],
        en_titles: &[
            "Trade-in offer for the {p}",
            "Price protection during the sale",
            "Limited-time offer on the {c}",
        ],
        zh: &[
            "活动期间购买{p}可参加以旧换新，旧机估价后抵扣货款。",
            "购买后十五天内降价的，可申请价格保护，差价以优惠券形式返还。",
            "活动商品数量有限，售完即止，不与其他优惠同享。",
            "活动订单退货的，赠品需一并退回，已享受的补贴将从退款中扣除。",
        ],
        en: &[
            "During the offer an old device can be traded in against the price of the {p}.",
            "If the price drops within fifteen days, the difference is refunded as a coupon.",
            "Offer items are limited and cannot be combined with other discounts.",
        ],
    },
    Topic {
        kind: ArticleKind::Script,
        tags: &["话术", "script", "投诉"],
        zh_titles: &["客户投诉安抚话术", "退货纠纷沟通话术", "催单来电标准话术"],
        en_titles: &[
            "Calming an angry caller",
            "Talking through a return dispute",
            "Answering a where-is-my-order call",
        ],
        zh: &[
            "先致歉并复述客户的问题，确认理解无误后再给出处理方案和时限。",
            "不要承诺无法兑现的赔偿，需要补偿的请按权限申请并告知客户审批时间。",
            "结束通话前确认客户是否还有其他问题，并告知工单编号。",
        ],
        en: &[
            "Apologise, repeat the problem back, then give the next step and when it will happen.",
            "Do not promise compensation you cannot approve; request it and tell the customer when to expect an answer.",
            "Before ending the call, give the ticket number and ask if anything else is needed.",
        ],
    },
    Topic {
        kind: ArticleKind::CaseStudy,
        tags: &["案例", "case", "质量"],
        zh_titles: &[
            "案例：{p}批量故障的处理",
            "案例：{c} 重复维修后换新",
            "案例：配送延误引发的投诉",
        ],
        en_titles: &[
            "Case: a batch fault in the {p}",
            "Case: replacing a {c} after repeated repairs",
        ],
        zh: &[
            "客户的{p}在保修期内第三次出现同一故障，经主管审批直接换新。",
            "该批次{c}存在主板虚焊问题，已通知质量部门并主动联系受影响客户。",
            "客户因配送延误投诉，核实为仓库漏发，补发并赠送优惠券后客户满意。",
        ],
        en: &[
            "The customer's {p} failed the same way three times under warranty; a supervisor approved a replacement.",
            "A batch of the {c} had a soldering defect; quality was informed and customers were contacted.",
        ],
    },
];

/// Sentences any article may carry.
const ZH_COMMON: &[&str] = &[
    "如有疑问，请联系在线客服或拨打客服热线。",
    "处理时请在工单中记录客户诉求和处理结果。",
    "本规则自发布之日起执行，最终解释权归客服中心所有。",
    "特殊情况请升级给值班主管处理。",
    "请注意保护客户个人信息，不得在聊天记录中发送完整手机号。",
];
const EN_COMMON: &[&str] = &[
    "If in doubt, escalate to the supervisor on duty.",
    "Record the customer's request and the outcome on the ticket.",
    "Never send a full phone number in a chat transcript.",
    "This article applies to orders placed on the website and in the app.",
];

/// Rare details, each in about one article in 400.
const ZH_RARE: &[&str] = &[
    "碎屏险理赔需提供购买凭证和损坏照片。",
    "海关清关延误的跨境订单不计入配送时效。",
    "蓝牙耳机单只丢失可按半价补购。",
    "儿童手表的定位服务需另行订阅流量套餐。",
    "香薰机滤芯属于耗材，不在保修范围。",
    "燃气灶安装需由持证师傅上门完成。",
];
const EN_RARE: &[&str] = &[
    "Screen insurance claims need the receipt and photos of the damage.",
    "Customs clearance delays do not count against the delivery promise.",
    "A lost single earbud can be replaced at half price.",
    "The smartwatch tracking service needs a separate data plan.",
];

/// Products, in Chinese and in English.
const PRODUCTS: &[(&str, &str)] = &[
    ("智能手机", "smartphone"),
    ("平板电脑", "tablet"),
    ("笔记本电脑", "laptop"),
    ("蓝牙耳机", "earbuds"),
    ("智能手表", "smartwatch"),
    ("扫地机器人", "robot vacuum"),
    ("空气净化器", "air purifier"),
    ("洗衣机", "washing machine"),
    ("冰箱", "fridge"),
    ("电视", "television"),
    ("净水器", "water purifier"),
    ("打印机", "printer"),
];
const SERIES: &[&str] = &["X", "K", "M", "S", "T", "Z", "A", "Q"];
const SUFFIX: &[&str] = &["", "-B", "-Pro", "-Max", "-C", "-Lite"];

/// A product code such as `X200-B` (8 series × 18 models × 6 variants = 864 codes).
fn code(rng: &mut Rng) -> String {
    let series = rng.pick(SERIES);
    let model = 100 * (1 + rng.below(9)) + if rng.chance(50) { 0 } else { 50 };
    format!("{series}{model}{}", rng.pick(SUFFIX))
}

fn fill(template: &str, product: &str, code: &str) -> String {
    template.replace("{p}", product).replace("{c}", code)
}

/// One generated article: title, body, tags, kind, audience.
struct Generated {
    title: String,
    body: String,
    tags: Vec<String>,
    kind: ArticleKind,
    public: bool,
}

fn generate(rng: &mut Rng) -> Generated {
    // Topics are not equally common: returns, invoices, warranty and delivery lead.
    let weights = [22, 14, 16, 14, 8, 7, 7, 5, 7];
    let mut roll = rng.below(weights.iter().sum());
    let mut topic = &TOPICS[0];
    for (t, w) in TOPICS.iter().zip(weights) {
        if roll < w {
            topic = t;
            break;
        }
        roll -= w;
    }
    let other = &TOPICS[rng.below(TOPICS.len())];
    let code = code(rng);
    // 60 % Chinese, 25 % English, 15 % Chinese with English passages.
    let language = rng.below(100);
    let (chinese, english) = (language < 75, language >= 60);
    let (product_zh, product_en) = PRODUCTS[rng.below(PRODUCTS.len())];
    let with_code = rng.chance(50);
    let title = if chinese {
        fill(rng.pick(topic.zh_titles), product_zh, &code)
    } else {
        fill(rng.pick(topic.en_titles), product_en, &code)
    };
    let title = if with_code && !title.contains(&code) {
        format!("{title}（{code}）")
    } else {
        title
    };
    let mut sentences: Vec<String> = Vec::new();
    let add = |rng: &mut Rng, zh: &[&str], en: &[&str], sentences: &mut Vec<String>| {
        let (pool, product) = if chinese && (!english || rng.chance(50)) {
            (zh, product_zh)
        } else {
            (en, product_en)
        };
        // A sentence at most once per article.
        for _ in 0..4 {
            let sentence = fill(rng.pick(pool), product, &code);
            if !sentences.contains(&sentence) {
                sentences.push(sentence);
                return;
            }
        }
    };
    for _ in 0..4 + rng.below(4) {
        add(rng, topic.zh, topic.en, &mut sentences);
    }
    if rng.chance(40) {
        add(rng, other.zh, other.en, &mut sentences);
    }
    for _ in 0..1 + rng.below(2) {
        add(rng, ZH_COMMON, EN_COMMON, &mut sentences);
    }
    if rng.chance(1) {
        add(rng, ZH_RARE, EN_RARE, &mut sentences);
    }
    if with_code {
        sentences.push(if chinese {
            format!("适用型号：{code}。")
        } else {
            format!("Applies to model {code}.")
        });
    }
    let separator = if chinese && !english { "" } else { " " };
    let mut tags: Vec<String> = vec![rng.pick(topic.tags).to_owned()];
    if with_code {
        tags.push(code.clone());
    }
    Generated {
        title,
        body: sentences.join(separator),
        tags,
        kind: topic.kind,
        public: rng.chance(60),
    }
}

#[derive(FromQueryResult)]
struct Id {
    id: Uuid,
}

/// When the articles were written: one every `step` seconds from `start`, all before `now`.
struct Clock {
    start: DateTime<Utc>,
    step: i64,
    now: DateTime<Utc>,
}

/// 1 day to a full review interval from now.
fn review_due_in(rng: &mut Rng, kind: ArticleKind) -> Duration {
    let days = usize::try_from(review_interval(kind).num_days())
        .unwrap_or(1)
        .max(1);
    Duration::days(1 + i64::try_from(rng.below(days)).unwrap_or(0))
}

fn rows(
    from: u64,
    count: usize,
    authors: &[Uuid],
    clock: &Clock,
) -> Vec<knowledge_article::ActiveModel> {
    (0..count as u64)
        .map(|i| {
            let n = from + i;
            let mut rng = Rng(n.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
            let g = generate(&mut rng);
            // Written one after another since 2025, published a day later, edited within 60
            // days.
            let created =
                clock.start + Duration::seconds(i64::try_from(n).unwrap_or(0) * clock.step);
            let published = created + Duration::days(1);
            let updated = published + Duration::days(i64::try_from(rng.below(60)).unwrap_or(0));
            let secs = u64::try_from(created.timestamp()).unwrap_or(0);
            let author = authors[rng.below(authors.len())];
            // Only the columns the server writes on publishing; later ones keep their defaults.
            knowledge_article::ActiveModel {
                id: Set(Uuid::new_v7(uuid::Timestamp::from_unix(
                    uuid::NoContext,
                    secs,
                    u32::try_from(n % 1_000_000).unwrap_or(0) * 1000,
                ))),
                search_text: Set(index_text(&g.title, &g.body, &g.tags)),
                tags: Set(serde_json::to_string(&g.tags).unwrap_or_else(|_| "[]".into())),
                title: Set(g.title),
                body: Set(g.body),
                kind: Set(g.kind.as_str().to_owned()),
                audience: Set(if g.public { "PUBLIC" } else { "INTERNAL" }.to_owned()),
                status: Set("PUBLISHED".to_owned()),
                version: Set(1),
                author_id: Set(Some(author)),
                last_editor_id: Set(Some(author)),
                source_ticket_id: Set(None),
                helpful_count: Set(i32::try_from(rng.below(20)).unwrap_or(0)),
                not_helpful_count: Set(i32::try_from(rng.below(4)).unwrap_or(0)),
                usage_count: Set(i32::try_from(rng.below(30)).unwrap_or(0)),
                created_at: Set(created),
                updated_at: Set(updated),
                published_at: Set(Some(published)),
                // Every article fresh (reviewed lately), so the worker's review notices stay
                // quiet during the benchmark.
                review_due_at: Set(Some(clock.now + review_due_in(&mut rng, g.kind))),
                ..Default::default()
            }
        })
        .collect()
}

/// Generates a batch on both cores (jieba segmentation is most of the work).
fn batch(
    from: u64,
    count: usize,
    authors: &[Uuid],
    clock: &Clock,
) -> Vec<knowledge_article::ActiveModel> {
    let half = count / 2;
    std::thread::scope(|s| {
        let second = s.spawn(|| rows(from + half as u64, count - half, authors, clock));
        let mut out = rows(from, half, authors, clock);
        out.extend(second.join().unwrap_or_default());
        out
    })
}

async fn insert(
    db: &DatabaseConnection,
    rows: Vec<knowledge_article::ActiveModel>,
) -> anyhow::Result<()> {
    let revisions: Vec<article_revision::ActiveModel> = rows
        .iter()
        .map(|r| article_revision::ActiveModel {
            article_id: r.id.clone(),
            version: r.version.clone(),
            title: r.title.clone(),
            body: r.body.clone(),
            editor_id: r.last_editor_id.clone(),
            at: r.updated_at.clone(),
        })
        .collect();
    let txn = db.begin().await?;
    knowledge_article::Entity::insert_many(rows)
        .exec(&txn)
        .await?;
    article_revision::Entity::insert_many(revisions)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .ok_or_else(|| anyhow::anyhow!("usage: careline-seed-articles <postgres url> [n]"))?;
    let n: u64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    anyhow::ensure!(url.starts_with("postgres"), "a PostgreSQL URL, please");

    let db = careline_persistence::connect(&url).await?;
    careline_persistence::migrate(&db).await?;
    let authors: Vec<Uuid> = Id::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT id FROM users WHERE team_id IS NOT NULL AND roles > 1 ORDER BY id",
    ))
    .all(&db)
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    anyhow::ensure!(
        !authors.is_empty(),
        "no staff: start the server once against this database with SEED_DEMO=true"
    );
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("start date"))?;
    let now = careline_persistence::now();
    let clock = Clock {
        start,
        step: ((now - Duration::days(62) - start).num_seconds() / i64::try_from(n.max(1))?).max(1),
        now,
    };
    let (mut generating, mut inserting) = (0.0, 0.0);
    let started = Instant::now();
    let mut done = 0u64;
    while done < n {
        let count = usize::try_from((n - done).min(BATCH as u64))?;
        let t = Instant::now();
        let rows = batch(done, count, &authors, &clock);
        generating += t.elapsed().as_secs_f64();
        let t = Instant::now();
        insert(&db, rows).await?;
        inserting += t.elapsed().as_secs_f64();
        done += count as u64;
        if done.is_multiple_of(20_000) {
            println!("{done} articles");
        }
    }
    println!(
        "{done} articles in {:.1} s (generating and segmenting {generating:.1} s, inserting \
         {inserting:.1} s)",
        started.elapsed().as_secs_f64()
    );
    // What autovacuum would do soon after a bulk load: statistics and the visibility map.
    let t = Instant::now();
    db.execute_unprepared("VACUUM ANALYZE knowledge_articles")
        .await?;
    db.execute_unprepared("VACUUM ANALYZE article_revisions")
        .await?;
    println!("VACUUM ANALYZE in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}
