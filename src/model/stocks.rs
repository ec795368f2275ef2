//! Spare-part stocks: a shelf of parts that the repairs of the nodes naming it take from, each part
//! taken reordered at once with a lead time (the (s−1, s) policy).

use crate::base::dist::Dist;

/// A stock of spare parts shared by the nodes that name it (`spare = "NAME"`).
#[derive(Debug, Clone)]
pub struct Stock {
    /// Unique name.
    pub name: String,
    /// Parts on the shelf at the start (the (s−1, s) base stock s).
    pub parts: u32,
    /// Time from taking a part to its replacement arriving on the shelf (each reorder independent).
    pub lead: Dist,
    /// Time to bring a part taken from the shelf to the failed node before its repair can start.
    pub ship: Option<Dist>,
    /// Key of the stock's random stream (lead and shipment times).
    pub stream_key: u64,
}
