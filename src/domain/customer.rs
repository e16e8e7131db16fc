//! Customers and the contact preferences the engine must respect.

use super::money::Money;
use super::names::{Channel, Risk, UnknownName};

/// The channels a customer opted out of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ChannelSet(u8);

impl ChannelSet {
    fn bit(c: Channel) -> u8 {
        match c {
            Channel::Email => 1,
            Channel::Sms => 2,
            Channel::Phone => 4,
            Channel::Letter => 8,
        }
    }

    pub fn contains(self, c: Channel) -> bool {
        self.0 & Self::bit(c) != 0
    }

    pub fn insert(&mut self, c: Channel) {
        self.0 |= Self::bit(c);
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }

    /// Reads `email;sms` (also `,` or spaces between names; empty means none).
    pub fn parse(s: &str) -> Result<ChannelSet, UnknownName> {
        let mut set = ChannelSet::default();
        if s.is_empty() {
            return Ok(set);
        }
        for part in s
            .split([';', ',', ' ', '|'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            set.insert(part.parse()?);
        }
        Ok(set)
    }
}

impl std::fmt::Display for ChannelSet {
    /// `email;sms`, the form the CSV uses.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.iter().map(Channel::as_str).collect();
        f.write_str(&names.join(";"))
    }
}

/// A customer (an account) as arq knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub segment: Option<String>,
    /// The risk class strategies and the priority score go by: the shop's when it gave
    /// one (`risk_set`), else the class learned from how the customer pays (see
    /// [`Customer::with_behaviour`]), else `normal`.
    pub risk: Risk,
    /// Whether the shop gave the risk class (an import's `risk` column).
    pub risk_set: bool,
    /// The collector who owns the account, if any.
    pub owner: Option<String>,
    pub credit_limit: Option<Money>,
    pub opt_out: ChannelSet,
    pub white_glove: bool,
    /// A strategy id that overrides assignment rules.
    pub strategy: Option<String>,
}

impl Customer {
    /// Whether an open balance is above the customer's credit limit (never without one).
    pub fn is_over_limit(&self, balance: Money) -> bool {
        self.credit_limit.is_some_and(|l| balance > l)
    }

    /// A customer with only an id and a name (the rest defaulted).
    pub fn named(id: &str, name: &str) -> Customer {
        Customer {
            id: id.to_string(),
            name: name.to_string(),
            email: None,
            phone: None,
            segment: None,
            risk: Risk::Normal,
            risk_set: false,
            owner: None,
            credit_limit: None,
            opt_out: ChannelSet::default(),
            white_glove: false,
            strategy: None,
        }
    }

    /// The customer with its payment-behaviour class applied (DESIGN §2): a risk the
    /// shop gave always wins; without one the class counts, and without a class (no
    /// estimate yet) the customer is `normal`.
    pub fn with_behaviour(mut self, class: Option<Risk>) -> Customer {
        if !self.risk_set {
            self.risk = class.unwrap_or(Risk::Normal);
        }
        self
    }

    /// Where a message on `channel` goes: the email address, the phone number, or
    /// (for a letter) the customer's name; trimmed, empty when nothing is on file.
    pub fn recipient(&self, channel: Channel) -> &str {
        let contact = match channel {
            Channel::Email => self.email.as_deref(),
            Channel::Sms | Channel::Phone => self.phone.as_deref(),
            Channel::Letter => Some(self.name.as_str()),
        };
        contact.unwrap_or_default().trim()
    }

    /// Does arq know how to reach this customer on `channel`? (Letters are printed
    /// with whatever address is on file.)
    pub fn has_contact(&self, channel: Channel) -> bool {
        channel == Channel::Letter || !self.recipient(channel).is_empty()
    }

    /// May an automatic step contact this customer on `channel`? (DESIGN §2 rule 5)
    pub fn accepts_automatic(&self, channel: Channel) -> bool {
        !self.white_glove && !self.opt_out.contains(channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_outs_parse_and_print() {
        let set = ChannelSet::parse("email; SMS").unwrap_or_default();
        assert!(set.contains(Channel::Email) && set.contains(Channel::Sms));
        assert!(!set.contains(Channel::Phone));
        assert_eq!(set.to_string(), "email;sms");
        assert!(ChannelSet::parse("").unwrap_or_default().is_empty());
        assert!(ChannelSet::parse("fax").is_err());
    }

    #[test]
    fn a_given_risk_wins_over_the_behaviour_class() {
        // (given, class, expected)
        let cases = [
            (None, None, Risk::Normal),
            (None, Some(Risk::High), Risk::High),
            (None, Some(Risk::Low), Risk::Low),
            (Some(Risk::Low), Some(Risk::High), Risk::Low),
            (Some(Risk::Normal), Some(Risk::High), Risk::Normal),
            (Some(Risk::High), None, Risk::High),
        ];
        for (given, class, want) in cases {
            let mut c = Customer::named("C1", "Acme");
            if let Some(r) = given {
                c.risk = r;
                c.risk_set = true;
            }
            assert_eq!(c.with_behaviour(class).risk, want, "{given:?} {class:?}");
        }
    }

    #[test]
    fn white_glove_blocks_every_automatic_channel() {
        let mut c = Customer::named("C1", "Acme");
        assert!(c.accepts_automatic(Channel::Email));
        c.opt_out.insert(Channel::Email);
        assert!(!c.accepts_automatic(Channel::Email));
        assert!(c.accepts_automatic(Channel::Letter));
        c.white_glove = true;
        assert!(!c.accepts_automatic(Channel::Letter));
    }
}
