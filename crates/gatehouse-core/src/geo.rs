//! Approximate location of an IP address from an offline MaxMind-format database
//! (GeoLite2 / GeoIP2 City or Country, DB-IP Lite), read with the `maxminddb` crate.

use std::net::IpAddr;
use std::path::Path;

use maxminddb::{Reader, geoip2};

use crate::error::{Error, Result};

/// Where an address is, as far as Gatehouse can tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// Which kind of answer this is.
    pub kind: LocationKind,
    /// City name in English, when the database has one.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: Option<String>,
    /// Country name in English.
    pub country: Option<String>,
    /// Approximate latitude.
    pub latitude: Option<f64>,
    /// Approximate longitude.
    pub longitude: Option<f64>,
}

/// The three answers a lookup can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    /// Found in the GeoIP database.
    Found,
    /// A private, loopback or link-local address: "Local network".
    LocalNetwork,
    /// No address, no database, or not in the database.
    Unknown,
}

impl Location {
    /// "Unknown": no address, no database, or no answer.
    pub fn unknown() -> Self {
        Self::bare(LocationKind::Unknown)
    }

    /// "Local network": a private or loopback address.
    pub fn local_network() -> Self {
        Self::bare(LocationKind::LocalNetwork)
    }

    fn bare(kind: LocationKind) -> Self {
        Location { kind, city: None, country_code: None, country: None, latitude: None, longitude: None }
    }

    /// What the user reads: "London, United Kingdom", "Bhutan", "Local network", "Unknown".
    pub fn label(&self) -> String {
        match self.kind {
            LocationKind::LocalNetwork => "Local network".to_owned(),
            LocationKind::Unknown => "Unknown".to_owned(),
            LocationKind::Found => {
                let country = self.country.as_ref().or(self.country_code.as_ref());
                match (&self.city, country) {
                    (Some(city), Some(country)) => format!("{city}, {country}"),
                    (Some(city), None) => city.clone(),
                    (None, Some(country)) => country.clone(),
                    (None, None) => "Unknown".to_owned(),
                }
            }
        }
    }
}

/// An opened GeoIP database.
pub struct GeoIp {
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoIp").field("database_type", &self.reader.metadata().database_type).finish()
    }
}

impl GeoIp {
    /// Opens a `.mmdb` file.
    pub fn open(path: &Path) -> Result<Self> {
        let reader =
            Reader::open_readfile(path).map_err(|err| Error::GeoIp { reason: format!("{}: {err}", path.display()) })?;
        Ok(GeoIp { reader })
    }

    /// Looks an address up; private and loopback ranges are "Local network" without a lookup.
    pub fn locate(geo: Option<&GeoIp>, ip: Option<IpAddr>) -> Location {
        let Some(ip) = ip else { return Location::unknown() };
        if is_local(ip) {
            return Location::local_network();
        }
        geo.and_then(|geo| geo.lookup(ip)).unwrap_or_else(Location::unknown)
    }

    fn lookup(&self, ip: IpAddr) -> Option<Location> {
        let found = self.reader.lookup(ip).ok()?;
        let record: geoip2::City<'_> = found.decode().ok()??;
        let location = Location {
            kind: LocationKind::Found,
            city: record.city.names.english.map(str::to_owned),
            country_code: record.country.iso_code.map(str::to_owned),
            country: record.country.names.english.map(str::to_owned),
            latitude: record.location.latitude,
            longitude: record.location.longitude,
        };
        let has_anything = location.city.is_some() || location.country_code.is_some();
        has_anything.then_some(location)
    }
}

/// Private, loopback, link-local and unique-local ranges.
fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified(),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_local(IpAddr::V4(v4));
            }
            v6.is_loopback() || v6.is_unspecified() || v6.is_unique_local() || v6.is_unicast_link_local()
        }
    }
}
