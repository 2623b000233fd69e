//! `scancase allowlist` and `scancase internal`: the case settings the analysis reads.

use std::net::IpAddr;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use ipnet::IpNet;

use scancase::text_escape::escape_invisible;

use super::options::CasePath;

/// Arguments of `scancase allowlist`.
#[derive(Debug, Args)]
pub struct AllowlistArgs {
    #[command(subcommand)]
    pub action: AllowlistAction,
}

/// Actions of `scancase allowlist`.
#[derive(Debug, Subcommand)]
pub enum AllowlistAction {
    /// Allow scans from a source address or network; its findings are kept but suppressed.
    Add {
        #[command(flatten)]
        case: CasePath,
        /// Source address or network, for example 192.0.2.10 or 192.0.2.0/24.
        #[arg(value_name = "NETWORK", value_parser = parse_network)]
        network: IpNet,
        /// Reason scans from this source are expected, for example "weekly vulnerability scan".
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Remove a source address or network from the allowlist.
    Remove {
        #[command(flatten)]
        case: CasePath,
        /// Source address or network as it was added.
        #[arg(value_name = "NETWORK", value_parser = parse_network)]
        network: IpNet,
    },
    /// Print the allowlist.
    List {
        #[command(flatten)]
        case: CasePath,
    },
}

/// Arguments of `scancase internal`.
#[derive(Debug, Args)]
pub struct InternalArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// The organisation's networks, replacing those set before; none prints the current ones.
    #[arg(value_name = "NETWORK", value_parser = parse_network)]
    pub networks: Vec<IpNet>,
    /// Remove the networks set before, so the private and local address ranges count as
    /// internal again.
    #[arg(long, conflicts_with = "networks")]
    pub reset: bool,
}

/// Parses a network in CIDR notation, or a single address as a host network.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    if let Ok(network) = text.parse::<IpNet>() {
        return Ok(network);
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("invalid network '{text}'; expected an address or CIDR such as 192.0.2.0/24"))
}

/// Runs `scancase allowlist`.
pub fn allowlist(args: AllowlistArgs) -> Result<()> {
    match args.action {
        AllowlistAction::Add { case, network, reason } => {
            if reason.trim().is_empty() {
                anyhow::bail!("give a reason with --reason; it is shown with every suppressed finding");
            }
            let mut opened = case.open()?;
            let actor = opened.actor();
            opened.allow(network, reason.trim(), actor.as_deref()).context("could not add to the allowlist")?;
            log::info!("allowlisted {network}; run `scancase analyze` to apply it to the findings");
        }
        AllowlistAction::Remove { case, network } => {
            let mut opened = case.open()?;
            let actor = opened.actor();
            opened.disallow(network, actor.as_deref()).context("could not remove from the allowlist")?;
            log::info!("removed {network} from the allowlist; run `scancase analyze` to apply it to the findings");
        }
        AllowlistAction::List { case } => {
            let opened = case.open()?;
            for entry in opened.allowlist()? {
                let by = entry.added_by.as_deref().unwrap_or("unknown examiner");
                println!("{}\t{}\t(added by {by})", entry.network, escape_invisible(&entry.reason));
            }
        }
    }
    Ok(())
}

/// Runs `scancase internal`.
pub fn internal(args: InternalArgs) -> Result<()> {
    if args.networks.is_empty() && !args.reset {
        let case = args.case.open()?;
        let networks = case.internal_networks()?;
        if networks.is_empty() {
            println!("none set: private and local address ranges count as internal");
        }
        for network in networks {
            println!("{network}");
        }
        return Ok(());
    }
    let mut case = args.case.open()?;
    let actor = case.actor();
    case.set_internal_networks(&args.networks, actor.as_deref()).context("could not set the internal networks")?;
    log::info!("internal networks set; run `scancase analyze` to apply them to the findings");
    Ok(())
}
