//! `scancase settings`: print or change the examiner, organisation, classification label,
//! default time zone and analysis parameters of a case.
//!
//! The internal networks and the allowlist have their own commands (`scancase internal`,
//! `scancase allowlist`). Every change is recorded in the case's audit log.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use clap::Args;
use scancase::analysis::{Parameters, PARAMETER_NAMES};
use scancase::case::{Case, SettingsChange};
use scancase::text_escape::escape_invisible;
use scancase::workflow;

use super::options::{parse_zone, CasePath};

/// Arguments of `scancase settings`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub case: CasePath,
    #[command(flatten)]
    pub values: SettingValues,
    /// Return an analysis parameter to its default; may be repeated.
    #[arg(long = "reset-param", value_name = "NAME")]
    pub reset_parameters: Vec<String>,
}

/// Settings that `scancase new` and `scancase settings` both take.
#[derive(Debug, Clone, Args)]
pub struct SettingValues {
    /// Organisation the investigation is for, shown on the report; "" removes it.
    #[arg(long, value_name = "NAME")]
    pub organisation: Option<String>,
    /// Classification label shown on every report page, for example TLP:AMBER; "" removes it.
    #[arg(long, value_name = "LABEL")]
    pub classification: Option<String>,
    /// Default IANA time zone of log timestamps that carry no offset, used by imports
    /// without --tz, for example Europe/Berlin; "" removes it (imports then read UTC).
    #[arg(long = "default-tz", value_name = "ZONE", value_parser = parse_optional_zone)]
    pub default_zone: Option<OptionalZone>,
    /// Analysis parameter as NAME=VALUE, a whole number of at least 1, for example
    /// campaign_gap_s=3600; may be repeated. `scancase settings CASE` lists the names.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_parameter)]
    pub parameters: Vec<(String, u64)>,
}

/// A time zone, or none to remove the setting.
#[derive(Debug, Clone, Copy)]
pub struct OptionalZone(pub Option<chrono_tz::Tz>);

fn parse_optional_zone(text: &str) -> Result<OptionalZone, String> {
    if text.trim().is_empty() {
        return Ok(OptionalZone(None));
    }
    parse_zone(text.trim()).map(|zone| OptionalZone(Some(zone)))
}

fn parse_parameter(text: &str) -> Result<(String, u64), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!("'{text}' is not NAME=VALUE; write for example campaign_gap_s=3600"));
    };
    let value = value
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("the value of {name} is '{value}'; give a whole number of at least 1"))?;
    Ok((name.trim().to_string(), value))
}

impl SettingValues {
    /// Returns the change these values make; an option not given changes nothing.
    pub fn to_change(&self) -> SettingsChange {
        SettingsChange {
            organisation: self.organisation.clone().map(Some),
            classification: self.classification.clone().map(Some),
            default_zone: self.default_zone.map(|zone| zone.0),
            set_parameters: self.parameters.iter().cloned().collect::<BTreeMap<_, _>>(),
            ..SettingsChange::default()
        }
    }
}

/// Runs `scancase settings`: changes the settings given, then prints all of them.
pub fn settings(args: SettingsArgs) -> Result<()> {
    let mut change = args.values.to_change();
    change.reset_parameters = args.reset_parameters.clone();
    let mut case = args.case.open()?;
    if !change.is_empty() {
        let actor = case.actor();
        workflow::change_settings(&mut case, &change, actor.as_deref())
            .context("could not change the case settings")?;
        log::info!("case settings changed; run `scancase analyze` to apply new analysis parameters to the findings");
    }
    print_settings(&case)
}

/// Prints every setting as `name<TAB>value`, the analysis parameters with their source.
fn print_settings(case: &Case) -> Result<()> {
    let settings = case.settings()?;
    let text = |value: &Option<String>| {
        value.as_deref().map_or_else(|| "none".to_string(), |text| escape_invisible(text).into_owned())
    };
    println!("examiner\t{}", text(&settings.examiner));
    println!("organisation\t{}", text(&settings.organisation));
    println!("classification\t{}", text(&settings.classification));
    let zone = settings
        .default_zone
        .map_or_else(|| "none (imports without --tz read UTC)".to_string(), |zone| zone.name().to_string());
    println!("default_tz\t{zone}");
    let defaults = Parameters::default();
    for (name, _) in PARAMETER_NAMES {
        let default = defaults.get(name).unwrap_or_default();
        match settings.analysis_parameters.get(name) {
            Some(value) => println!("{name}\t{value}\t(set for this case; default {default})"),
            None => println!("{name}\t{default}\t(default)"),
        }
    }
    Ok(())
}
