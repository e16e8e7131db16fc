//! Reading strategy files (TOML, one strategy per file) into a validated [`Strategy`].
//! Every problem is reported with the file, line and column of the value at fault.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::model::{
    Action, AppliesTo, Assignee, CreditRule, EndAction, EndRule, Fallback, Mode, PriorityWeights,
    Release, Step, Strategy, WarningRule,
};
use crate::diag::{Diagnostics, Located};
use crate::domain::{Money, Reason, Risk};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    strategy: Spanned<RawStrategy>,
    #[serde(default)]
    step: Vec<Spanned<RawStep>>,
    priority: Option<RawPriority>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrategy {
    id: Spanned<String>,
    name: Option<Spanned<String>>,
    #[serde(default)]
    default: bool,
    rank: Option<i64>,
    grace_days: Option<u32>,
    #[serde(default)]
    business_days: bool,
    release: Option<Spanned<String>>,
    applies_to: Option<RawAppliesTo>,
    end: Option<RawEnd>,
    credit: Option<RawCredit>,
    warning: Option<RawWarning>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredit {
    #[serde(default)]
    hold_over_limit: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWarning {
    enabled: Option<bool>,
    broken_promise: Option<bool>,
    last_invoices: Option<Spanned<i64>>,
    days_late_rise: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnd {
    action: Option<Spanned<String>>,
    every_days: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppliesTo {
    #[serde(default)]
    segments: Vec<Spanned<String>>,
    #[serde(default)]
    risk: Vec<Spanned<String>>,
    min_balance: Option<Spanned<Number>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    action: Spanned<String>,
    mode: Option<Spanned<String>>,
    template: Option<Spanned<String>>,
    min_past_due: Option<Spanned<Number>>,
    min_days_past_due: Option<Spanned<i64>>,
    days_before_due: Option<Spanned<i64>>,
    /// Only for steps before the due date: `false` keeps the step in the file, off.
    enabled: Option<Spanned<bool>>,
    wait_days: Option<Spanned<u32>>,
    assignee: Option<Spanned<String>>,
    fallback: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriority {
    #[serde(default)]
    risk_weight: BTreeMap<String, Spanned<Number>>,
    #[serde(default)]
    reason_weight: BTreeMap<String, Spanned<Number>>,
    broken_promise_weight: Option<Spanned<Number>>,
    dpd_divisor: Option<Spanned<Number>>,
    overdue_bonus_per_day: Option<Spanned<Number>>,
    behaviour_weight: Option<Spanned<Number>>,
}

/// A number written as a TOML integer, float or string (`100`, `0.8`, `"100.00"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Number {
    fn decimal(&self) -> Option<Decimal> {
        match self {
            Number::Int(i) => Some(Decimal::from(*i)),
            // The float's shortest decimal spelling is the number the person wrote.
            Number::Float(f) => Decimal::from_str(&f.to_string()).ok(),
            Number::Text(s) => Decimal::from_str(s.trim()).ok(),
        }
    }
}

/// The largest strategy file arq reads.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// The most steps a strategy may have.
const MAX_STEPS: usize = 50;
/// The largest threshold: no invoice comes near it.
const MAX_AMOUNT: i64 = 100_000_000_000_000;

/// Collects problems while building the strategy.
struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    problems: Vec<Located>,
}

impl Checker<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems
            .push(Located::at(self.file, self.src, span.start, message));
    }

    fn word<T: FromStr>(&mut self, v: &Spanned<String>, field: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        match v.get_ref().parse::<T>() {
            Ok(t) => Some(t),
            Err(e) => {
                self.err(v.span(), format!("{field}: {e}"));
                None
            }
        }
    }

    /// Refuses a text longer than `max` characters or holding control characters
    /// (`multiline` texts may hold line breaks).
    fn text(&mut self, v: &Spanned<String>, field: &str, max: usize, multiline: bool) {
        let t = v.get_ref();
        let n = t.chars().count();
        if n > max {
            self.err(
                v.span(),
                format!("{field} is {n} characters long; at most {max}"),
            );
        } else if let Some(c) = t
            .chars()
            .find(|&c| crate::display::is_control(c) && !(multiline && c == '\n'))
        {
            self.err(
                v.span(),
                format!("{field} holds a control character (U+{:04X})", c as u32),
            );
        }
    }

    fn money(&mut self, v: &Spanned<Number>, field: &str) -> Option<Money> {
        let parsed = v
            .get_ref()
            .decimal()
            .and_then(|d| Money::from_decimal(d).ok());
        match parsed {
            Some(m) if m.to_minor() > MAX_AMOUNT => {
                self.err(
                    v.span(),
                    format!("{field} is more than 1,000,000,000,000.00: no invoice comes near it"),
                );
                None
            }
            Some(m) if !m.is_negative() => Some(m),
            _ => {
                self.err(
                    v.span(),
                    format!("{field} must be an amount such as \"100.00\""),
                );
                None
            }
        }
    }

    /// A whole number of days (or invoices) within `lo..=hi`, with `hint` when it is not.
    fn count(
        &mut self,
        v: &Spanned<i64>,
        field: &str,
        lo: i64,
        hi: i64,
        hint: &str,
    ) -> Option<u32> {
        let n = *v.get_ref();
        if (lo..=hi).contains(&n) {
            return u32::try_from(n).ok();
        }
        self.err(
            v.span(),
            format!("{field} must be a whole number from {lo} to {hi}, not {n}{hint}"),
        );
        None
    }

    fn weight(&mut self, v: &Spanned<Number>, field: &str) -> Option<Decimal> {
        match v.get_ref().decimal() {
            Some(d) if d >= Decimal::ZERO => Some(d),
            _ => {
                self.err(v.span(), format!("{field} must be a number ≥ 0"));
                None
            }
        }
    }
}

/// Parses and validates one strategy file. `file` names it in errors; `known_template`
/// says whether a template name exists (so a typo is caught before the daily run).
pub fn parse_strategy(
    file: &str,
    src: &str,
    known_template: &dyn Fn(&str) -> bool,
) -> Result<Strategy, Diagnostics> {
    if src.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostics(vec![Located::at(
            file,
            src,
            0,
            format!(
                "the file is {} bytes; a strategy file is at most {MAX_FILE_BYTES} bytes",
                src.len()
            ),
        )]));
    }
    let raw: RawFile =
        toml::from_str(src).map_err(|e| Diagnostics(vec![Located::from_toml(file, src, &e)]))?;
    let mut ck = Checker {
        file,
        src,
        problems: Vec::new(),
    };

    let s = raw.strategy.get_ref();
    let id = s.id.get_ref().trim().to_string();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        ck.err(
            s.id.span(),
            "strategy id must be letters, digits, '_' or '-'",
        );
    }
    if id.chars().count() > 64 {
        ck.err(s.id.span(), "strategy id is longer than 64 characters");
    }
    if let Some(n) = &s.name {
        ck.text(n, "name", 200, false);
    }
    let release = s
        .release
        .as_ref()
        .and_then(|r| ck.word::<Release>(r, "release"))
        .unwrap_or(Release::Auto);
    let applies_to = s.applies_to.as_ref().map(|a| AppliesTo {
        segments: a
            .segments
            .iter()
            .map(|x| {
                ck.text(x, "applies_to.segments", 100, false);
                x.get_ref().trim().to_string()
            })
            .collect(),
        risk: a
            .risk
            .iter()
            .filter_map(|r| ck.word::<Risk>(r, "applies_to.risk"))
            .collect(),
        min_balance: a
            .min_balance
            .as_ref()
            .and_then(|m| ck.money(m, "applies_to.min_balance")),
    });

    let end = match &s.end {
        None => EndRule::default(),
        Some(e) => {
            let mut rule = EndRule::default();
            if let Some(a) = &e.action
                && let Some(action) = ck.word::<EndAction>(a, "end.action")
            {
                rule.action = action;
            }
            if let Some(d) = &e.every_days {
                if *d.get_ref() == 0 {
                    ck.err(d.span(), "end.every_days must be at least 1");
                } else {
                    rule.every_days = *d.get_ref();
                }
            }
            rule
        }
    };

    if raw.step.is_empty() {
        ck.err(
            raw.strategy.span(),
            "a strategy needs at least one [[step]]",
        );
    }
    if let Some(extra) = raw.step.get(MAX_STEPS) {
        ck.err(
            extra.span(),
            format!("a strategy has at most {MAX_STEPS} steps"),
        );
    }
    let mut seen = HashSet::new();
    let mut steps = Vec::with_capacity(raw.step.len());
    let mut pre_due: Vec<Step> = Vec::new();
    for rs in &raw.step {
        let rs = rs.get_ref();
        if let Some(days) = &rs.days_before_due {
            if !steps.is_empty() {
                ck.err(
                    days.span(),
                    "a step before the due date (days_before_due) must come before the steps past due",
                );
            }
            if let Some(step) = check_pre_due(&mut ck, rs, days, known_template) {
                if pre_due
                    .iter()
                    .any(|p| p.days_before_due == step.days_before_due)
                {
                    ck.err(
                        days.span(),
                        format!(
                            "two steps are {} days before the due date",
                            step.days_before_due
                        ),
                    );
                }
                if !seen.insert(step.id.clone()) {
                    ck.err(rs.id.span(), format!("step id '{}' is used twice", step.id));
                }
                if rs.enabled.as_ref().is_none_or(|e| *e.get_ref()) {
                    pre_due.push(step);
                }
            }
            continue;
        }
        if let Some(e) = &rs.enabled {
            ck.err(
                e.span(),
                "only a step before the due date (days_before_due) can be switched off with enabled",
            );
        }
        if let Some(step) = check_step(&mut ck, steps.len(), rs, known_template) {
            if !seen.insert(step.id.clone()) {
                ck.err(rs.id.span(), format!("step id '{}' is used twice", step.id));
            }
            steps.push(step);
        }
    }
    if !raw.step.is_empty() && steps.is_empty() && ck.problems.is_empty() {
        ck.err(
            raw.strategy.span(),
            "a strategy needs at least one [[step]] past due (without days_before_due)",
        );
    }
    pre_due.sort_by_key(|s| std::cmp::Reverse(s.days_before_due));
    let credit = s
        .credit
        .as_ref()
        .map_or(CreditRule::default(), |c| CreditRule {
            hold_over_limit: c.hold_over_limit,
        });
    let warning = match &s.warning {
        None => WarningRule::default(),
        Some(w) => {
            let mut rule = WarningRule::default();
            rule.enabled = w.enabled.unwrap_or(rule.enabled);
            rule.broken_promise = w.broken_promise.unwrap_or(rule.broken_promise);
            if let Some(n) = &w.last_invoices
                && let Some(n) = ck.count(n, "warning.last_invoices", 1, 6, "")
            {
                rule.last_invoices = n;
            }
            if let Some(n) = &w.days_late_rise
                && let Some(n) = ck.count(n, "warning.days_late_rise", 1, 365, "")
            {
                rule.days_late_rise = n;
            }
            rule
        }
    };

    let priority = raw
        .priority
        .as_ref()
        .map(|p| check_priority(&mut ck, p))
        .unwrap_or_default();

    if !ck.problems.is_empty() {
        return Err(Diagnostics(ck.problems));
    }
    Ok(Strategy {
        name: s
            .name
            .as_ref()
            .map_or_else(|| id.clone(), |n| n.get_ref().clone()),
        id,
        is_default: s.default,
        rank: s.rank.unwrap_or(100),
        grace_days: s.grace_days.unwrap_or(2),
        business_days: s.business_days,
        release,
        applies_to,
        pre_due,
        steps,
        end,
        credit,
        warning,
        priority,
    })
}

/// A courtesy step before the due date: an automatic email, sms or letter with a
/// template, and no entry conditions or wait of its own.
fn check_pre_due(
    ck: &mut Checker<'_>,
    rs: &RawStep,
    days: &Spanned<i64>,
    known_template: &dyn Fn(&str) -> bool,
) -> Option<Step> {
    let days = ck.count(days, "days_before_due", 1, 60, "");
    let action = ck.word::<Action>(&rs.action, "action");
    let mode = match &rs.mode {
        Some(m) => ck.word::<Mode>(m, "mode"),
        None => Some(Mode::Auto),
    };
    let fallback = rs
        .fallback
        .as_ref()
        .and_then(|f| ck.word::<Fallback>(f, "fallback"));
    let (days, action, mode) = (days?, action?, mode?);
    if action.auto_channel().is_none() || mode != Mode::Auto {
        ck.err(
            rs.action.span(),
            "a step before the due date is a courtesy reminder: an automatic email, sms or letter",
        );
    }
    if fallback == Some(Fallback::Manual) {
        let span = rs.fallback.as_ref().map_or(rs.action.span(), Spanned::span);
        ck.err(
            span,
            "a reminder before the due date is skipped for customers who cannot get it (fallback = \"skip\")",
        );
    }
    let template = rs.template.as_ref().map(|t| t.get_ref().trim().to_string());
    match (&rs.template, &template) {
        (Some(t), Some(name)) if !known_template(name) => {
            ck.err(t.span(), format!("template '{name}' does not exist"));
        }
        (None, _) => ck.err(
            rs.action.span(),
            format!("a {action} step before the due date needs a template"),
        ),
        _ => {}
    }
    for (span, name) in [
        (rs.min_past_due.as_ref().map(Spanned::span), "min_past_due"),
        (
            rs.min_days_past_due.as_ref().map(Spanned::span),
            "min_days_past_due",
        ),
        (rs.wait_days.as_ref().map(Spanned::span), "wait_days"),
        (rs.assignee.as_ref().map(Spanned::span), "assignee"),
    ] {
        if let Some(span) = span {
            ck.err(
                span,
                format!("a step before the due date has no {name}: it is sent days_before_due days before each invoice comes due"),
            );
        }
    }
    Some(Step {
        id: rs.id.get_ref().trim().to_string(),
        action,
        mode,
        template,
        min_past_due: Money::ZERO,
        min_days_past_due: 0,
        wait_days: 0,
        assignee: Assignee::Owner,
        fallback: Fallback::Skip,
        text: rs.text.as_ref().map(|t| t.get_ref().clone()),
        days_before_due: days,
    })
}

fn check_step(
    ck: &mut Checker<'_>,
    index: usize,
    rs: &RawStep,
    known_template: &dyn Fn(&str) -> bool,
) -> Option<Step> {
    ck.text(&rs.id, "step id", 64, false);
    if let Some(t) = &rs.template {
        ck.text(t, "template", 64, false);
    }
    if let Some(t) = &rs.text {
        ck.text(t, "text", 1000, true);
    }
    let action = ck.word::<Action>(&rs.action, "action");
    if action == Some(Action::Review) {
        ck.err(
            rs.action.span(),
            "action: 'review' is what [strategy.end] does after the last step; \
             use escalate for a supervisor's review in the middle",
        );
    }
    let mode = match &rs.mode {
        Some(m) => ck.word::<Mode>(m, "mode"),
        None => action.map(|a| {
            if a.can_be_auto() {
                Mode::Auto
            } else {
                Mode::Manual
            }
        }),
    };
    let assignee = rs
        .assignee
        .as_ref()
        .and_then(|a| ck.word::<Assignee>(a, "assignee"));
    let fallback = rs
        .fallback
        .as_ref()
        .and_then(|f| ck.word::<Fallback>(f, "fallback"));
    let (action, mode) = (action?, mode?);

    if mode == Mode::Auto && !action.can_be_auto() {
        let span = rs.mode.as_ref().map_or(rs.action.span(), Spanned::span);
        ck.err(
            span,
            format!("a {action} step is always manual: a person has to do it"),
        );
    }
    let assignee = match assignee {
        Some(Assignee::Owner) if action.needs_supervisor() => {
            let span = rs.assignee.as_ref().map_or(rs.action.span(), Spanned::span);
            ck.err(
                span,
                format!("a {action} step needs a supervisor: use assignee = \"supervisor\""),
            );
            Assignee::Supervisor
        }
        Some(a) => a,
        None if action.needs_supervisor() => Assignee::Supervisor,
        None => Assignee::Owner,
    };
    if let Some(f) = &rs.fallback
        && !(mode == Mode::Auto && action.auto_channel().is_some())
    {
        ck.err(
            f.span(),
            "fallback only applies to automatic email, sms and letter steps",
        );
    }

    let template = rs.template.as_ref().map(|t| t.get_ref().trim().to_string());
    match (&rs.template, action.uses_template()) {
        (Some(t), true) if !known_template(t.get_ref().trim()) => {
            ck.err(
                t.span(),
                format!("template '{}' does not exist", t.get_ref().trim()),
            );
        }
        (Some(t), false) => ck.err(t.span(), format!("a {action} step has no template")),
        (None, true) if mode == Mode::Auto => {
            ck.err(
                rs.action.span(),
                format!("an automatic {action} step needs a template"),
            );
        }
        _ => {}
    }

    let mut min_past_due = Money::from_minor(1);
    let mut min_days_past_due = 1;
    let mut wait_days = 0;
    if index == 0 {
        if let Some(m) = &rs.min_past_due {
            min_past_due = ck.money(m, "min_past_due").unwrap_or(min_past_due);
            if min_past_due.is_zero() {
                ck.err(m.span(), "min_past_due must be more than 0.00");
            }
        }
        if let Some(d) = &rs.min_days_past_due {
            min_days_past_due = ck
                .count(
                    d,
                    "min_days_past_due",
                    0,
                    3650,
                    "; a reminder before the due date is a step of its own, written first: days_before_due = 7",
                )
                .unwrap_or(min_days_past_due);
        }
        if let Some(w) = &rs.wait_days {
            ck.err(
                w.span(),
                "the first step has no wait_days: it starts on min_past_due and min_days_past_due",
            );
        }
    } else {
        for (v, name) in [
            (rs.min_past_due.as_ref().map(Spanned::span), "min_past_due"),
            (
                rs.min_days_past_due.as_ref().map(Spanned::span),
                "min_days_past_due",
            ),
        ] {
            if let Some(span) = v {
                ck.err(
                    span,
                    format!("only the first step has {name}; later steps use wait_days"),
                );
            }
        }
        wait_days = rs.wait_days.as_ref().map_or(0, |w| *w.get_ref());
    }

    Some(Step {
        id: rs.id.get_ref().trim().to_string(),
        action,
        mode,
        template,
        min_past_due,
        min_days_past_due,
        wait_days,
        assignee,
        fallback: fallback.unwrap_or(Fallback::Manual),
        text: rs.text.as_ref().map(|t| t.get_ref().clone()),
        days_before_due: 0,
    })
}

fn check_priority(ck: &mut Checker<'_>, p: &RawPriority) -> PriorityWeights {
    let mut w = PriorityWeights::default();
    for (name, v) in &p.risk_weight {
        let Some(x) = ck.weight(v, "risk_weight") else {
            continue;
        };
        match name.parse::<Risk>() {
            Ok(Risk::Low) => w.risk_low = x,
            Ok(Risk::Normal) => w.risk_normal = x,
            Ok(Risk::High) => w.risk_high = x,
            Err(e) => ck.err(v.span(), format!("risk_weight: {e}")),
        }
    }
    for (name, v) in &p.reason_weight {
        let Some(x) = ck.weight(v, "reason_weight") else {
            continue;
        };
        match name.parse::<Reason>() {
            Ok(r) => w.set_reason(r, x),
            Err(e) => ck.err(v.span(), format!("reason_weight: {e}")),
        }
    }
    if let Some(x) = p
        .broken_promise_weight
        .as_ref()
        .and_then(|v| ck.weight(v, "broken_promise_weight"))
    {
        w.broken_promise = x;
    }
    if let Some(v) = &p.dpd_divisor {
        match ck.weight(v, "dpd_divisor") {
            Some(x) if x > Decimal::ZERO => w.dpd_divisor = x,
            Some(_) => ck.err(v.span(), "dpd_divisor must be more than 0"),
            None => {}
        }
    }
    if let Some(x) = p
        .overdue_bonus_per_day
        .as_ref()
        .and_then(|v| ck.weight(v, "overdue_bonus_per_day"))
    {
        w.overdue_bonus_per_day = x;
    }
    if let Some(x) = p
        .behaviour_weight
        .as_ref()
        .and_then(|v| ck.weight(v, "behaviour_weight"))
    {
        w.behaviour = x;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_template(_: &str) -> bool {
        true
    }

    fn problems(src: &str) -> Vec<String> {
        match parse_strategy("s.toml", src, &|t| t != "missing") {
            Ok(_) => vec![],
            Err(d) => d.0.iter().map(ToString::to_string).collect(),
        }
    }

    const GOOD: &str = r#"
[strategy]
id = "standard"
name = "Standard B2B"
default = true
grace_days = 3

[[step]]
id = "friendly"
action = "email"
template = "friendly_reminder"
min_past_due = "100.00"
min_days_past_due = 1

[[step]]
id = "call"
action = "call"
wait_days = 5

[[step]]
id = "hold"
action = "credit_hold"
mode = "auto"
wait_days = 3

[[step]]
id = "review"
action = "write_off_review"
wait_days = 30

[priority]
risk_weight = { low = 0.8, normal = 1, high = "1.75" }
reason_weight = { callback = 2 }
"#;

    #[test]
    fn reads_a_good_file_with_defaults() {
        let s = parse_strategy("s.toml", GOOD, &any_template).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.id, "standard");
        assert!(s.is_default);
        assert_eq!(s.grace_days, 3);
        assert_eq!(s.rank, 100);
        assert_eq!(s.release, Release::Auto);
        assert_eq!(s.steps.len(), 4);
        assert_eq!(s.threshold(), Money::from_major(100));
        assert_eq!(s.steps[0].mode, Mode::Auto);
        assert_eq!(s.steps[1].mode, Mode::Manual);
        assert_eq!(s.steps[1].wait_days, 5);
        assert_eq!(s.steps[3].assignee, Assignee::Supervisor);
        assert_eq!(s.priority.risk_low, Decimal::new(8, 1));
        assert_eq!(s.priority.risk_high, Decimal::new(175, 2));
        assert_eq!(s.priority.reason(Reason::Callback), Decimal::from(2));
        assert_eq!(s.priority.reason(Reason::Step), Decimal::ONE);
    }

    #[test]
    fn every_mistake_is_reported_where_it_is() {
        let cases: &[(&str, &str)] = &[
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"fax\"\n",
                "s.toml:5:10: action: 'fax' is not a step action",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"call\"\nmode = \"auto\"\n",
                "s.toml:6:8: a call step is always manual",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"email\"\ntemplate = \"missing\"\n",
                "s.toml:6:12: template 'missing' does not exist",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"email\"\n",
                "s.toml:5:10: an automatic email step needs a template",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"call\"\nwait_days = 3\n",
                "s.toml:6:13: the first step has no wait_days",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"call\"\n[[step]]\nid = \"b\"\naction = \"call\"\nmin_past_due = 5\n",
                "s.toml:9:16: only the first step has min_past_due",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"call\"\n[[step]]\nid = \"a\"\naction = \"task\"\n",
                "s.toml:7:6: step id 'a' is used twice",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"agency\"\nassignee = \"owner\"\n",
                "s.toml:6:12: a agency step needs a supervisor",
            ),
            (
                "[strategy]\nid = \"x\"\n[[step]]\nid = \"a\"\naction = \"call\"\nmin_past_due = \"abc\"\n",
                "s.toml:6:16: min_past_due must be an amount",
            ),
            (
                "[strategy]\nid = \"x\"\n",
                "s.toml:1:1: a strategy needs at least one [[step]]",
            ),
            (
                "[strategy]\nid = \"x\"\ncolour = 1\n[[step]]\nid = \"a\"\naction = \"call\"\n",
                "s.toml:3:1: unknown field `colour`",
            ),
            (
                "[strategy]\nid = \"x\"\nrelease = \"later\"\n[[step]]\nid = \"a\"\naction = \"call\"\n",
                "s.toml:3:11: release: 'later' is not a release rule",
            ),
            ("[strategy\n", "s.toml:1:10: "),
        ];
        for (src, want) in cases {
            let got = problems(src);
            assert!(
                got.iter().any(|g| g.starts_with(want)),
                "want {want:?}\n got {got:?}"
            );
        }
    }
}
