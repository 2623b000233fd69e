//! The case's contacts grouped by source address, built once per analysis.
//!
//! Each finding looks at everything its source did besides the scan (follow-up sessions,
//! OS detection, version probing). Filtering all contacts per finding cost findings times
//! contacts; a case of 10 million contacts and hundreds of findings spent most of its
//! analysis there.

use std::collections::HashMap;
use std::net::IpAddr;

use super::merge::MergedContact;

/// Contacts by source address, each source's in the order of the case's contacts.
pub struct ContactsBySource<'a> {
    by_source: HashMap<IpAddr, Vec<&'a MergedContact>>,
}

impl<'a> ContactsBySource<'a> {
    /// Groups `contacts` by source address.
    pub fn new(contacts: &'a [MergedContact]) -> Self {
        let mut by_source: HashMap<IpAddr, Vec<&'a MergedContact>> = HashMap::new();
        for contact in contacts {
            by_source.entry(contact.contact.src).or_default().push(contact);
        }
        ContactsBySource { by_source }
    }

    /// Returns the contacts whose source is `source`; empty for an unknown address.
    pub fn of(&self, source: IpAddr) -> &[&'a MergedContact] {
        self.by_source.get(&source).map_or(&[], Vec::as_slice)
    }
}
