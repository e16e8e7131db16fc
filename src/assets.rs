//! Files shipped inside the binary: the strategies `arq init` loads and the mail
//! templates a shop can override.

/// (file name, TOML source) of every shipped strategy.
pub const STRATEGIES: &[(&str, &str)] = &[
    (
        "default.toml",
        include_str!("../assets/strategies/default.toml"),
    ),
    (
        "gentle.toml",
        include_str!("../assets/strategies/gentle.toml"),
    ),
    (
        "strict.toml",
        include_str!("../assets/strategies/strict.toml"),
    ),
    (
        "white_glove.toml",
        include_str!("../assets/strategies/white_glove.toml"),
    ),
];

/// (file name, source) of every shipped template. `NAME.txt` is required (its first
/// line is `Subject: …`); `NAME.html` is an optional HTML alternative.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "friendly_reminder.txt",
        include_str!("../assets/templates/friendly_reminder.txt"),
    ),
    (
        "friendly_reminder.html",
        include_str!("../assets/templates/friendly_reminder.html"),
    ),
    (
        "serious_reminder.txt",
        include_str!("../assets/templates/serious_reminder.txt"),
    ),
    (
        "serious_reminder.html",
        include_str!("../assets/templates/serious_reminder.html"),
    ),
    (
        "final_notice.txt",
        include_str!("../assets/templates/final_notice.txt"),
    ),
    (
        "final_notice.html",
        include_str!("../assets/templates/final_notice.html"),
    ),
    (
        "before_due_reminder.txt",
        include_str!("../assets/templates/before_due_reminder.txt"),
    ),
    (
        "before_due_reminder.html",
        include_str!("../assets/templates/before_due_reminder.html"),
    ),
    (
        "courtesy_note.txt",
        include_str!("../assets/templates/courtesy_note.txt"),
    ),
    (
        "courtesy_note.html",
        include_str!("../assets/templates/courtesy_note.html"),
    ),
    (
        "promise_confirmation.txt",
        include_str!("../assets/templates/promise_confirmation.txt"),
    ),
    (
        "promise_confirmation.html",
        include_str!("../assets/templates/promise_confirmation.html"),
    ),
    (
        "plan_confirmation.txt",
        include_str!("../assets/templates/plan_confirmation.txt"),
    ),
    (
        "plan_confirmation.html",
        include_str!("../assets/templates/plan_confirmation.html"),
    ),
    (
        "sms_reminder.txt",
        include_str!("../assets/templates/sms_reminder.txt"),
    ),
    (
        "reminder_letter.txt",
        include_str!("../assets/templates/reminder_letter.txt"),
    ),
];
