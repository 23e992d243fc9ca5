//! The pet store's data and its in-memory state.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

/// A pet's sale status (the spec's `PetStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PetStatus {
    /// For sale.
    Available,
    /// Reserved.
    Pending,
    /// Gone to a new home.
    Sold,
}

impl PetStatus {
    /// Every status, in the spec's order.
    pub const ALL: [PetStatus; 3] = [PetStatus::Available, PetStatus::Pending, PetStatus::Sold];

    /// The wire name (`available`).
    pub fn as_str(self) -> &'static str {
        match self {
            PetStatus::Available => "available",
            PetStatus::Pending => "pending",
            PetStatus::Sold => "sold",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<PetStatus> {
        PetStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

/// A pet (the spec's `Pet`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pet {
    /// Assigned by the store.
    pub id: i64,
    /// The pet's name.
    pub name: String,
    /// Sale status, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PetStatus>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An order (the spec's `Order`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Assigned by the store.
    pub id: i64,
    /// The ordered pet.
    #[serde(rename = "petId")]
    pub pet_id: i64,
    /// How many.
    pub quantity: i64,
    /// Free-form notes (sent as `metadata[key]=value`).
    pub metadata: BTreeMap<String, String>,
}

/// The shared, in-memory state of one pet store. Cloning shares the state.
#[derive(Clone, Debug, Default)]
pub struct Store {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    pets: BTreeMap<i64, Stored>,
    next_pet_id: i64,
    orders: Vec<Order>,
}

#[derive(Debug)]
struct Stored {
    pet: Pet,
    version: u64,
    photo_bytes: Option<usize>,
}

impl Store {
    /// A store holding Rex (available, dog), Whiskers (pending, cat) and Bubbles (sold,
    /// fish) with ids 1, 2 and 3.
    pub fn seeded() -> Store {
        let store = Store::default();
        for (name, status, tag) in [
            ("Rex", PetStatus::Available, "dog"),
            ("Whiskers", PetStatus::Pending, "cat"),
            ("Bubbles", PetStatus::Sold, "fish"),
        ] {
            store.insert(name.to_owned(), Some(status), vec![tag.to_owned()]);
        }
        store
    }

    /// Every pet, by id.
    pub fn pets(&self) -> Vec<Pet> {
        self.lock().pets.values().map(|s| s.pet.clone()).collect()
    }

    /// One pet.
    pub fn pet(&self, id: i64) -> Option<Pet> {
        self.lock().pets.get(&id).map(|s| s.pet.clone())
    }

    /// Every order, in the order placed.
    pub fn orders(&self) -> Vec<Order> {
        self.lock().orders.clone()
    }

    /// The size in bytes of the photo uploaded for pet `id`, if any.
    pub fn photo_bytes(&self, id: i64) -> Option<usize> {
        self.lock().pets.get(&id).and_then(|s| s.photo_bytes)
    }

    /// Adds a pet and returns it.
    pub(crate) fn insert(&self, name: String, status: Option<PetStatus>, tags: Vec<String>) -> Pet {
        let mut state = self.lock();
        state.next_pet_id += 1;
        let pet = Pet {
            id: state.next_pet_id,
            name,
            status,
            tags,
        };
        state.pets.insert(
            pet.id,
            Stored {
                pet: pet.clone(),
                version: 1,
                photo_bytes: None,
            },
        );
        pet
    }

    /// A pet and its version (for `ETag`/`If-Match`).
    pub(crate) fn get_versioned(&self, id: i64) -> Option<(Pet, u64)> {
        self.lock()
            .pets
            .get(&id)
            .map(|s| (s.pet.clone(), s.version))
    }

    /// Applies `change` to pet `id` if its version satisfies `expected` (`None`: any).
    pub(crate) fn update(
        &self,
        id: i64,
        expected: Option<u64>,
        change: impl FnOnce(&mut Pet),
    ) -> Result<(Pet, u64), UpdateError> {
        let mut state = self.lock();
        let stored = state.pets.get_mut(&id).ok_or(UpdateError::Missing)?;
        if let Some(expected) = expected
            && expected != stored.version
        {
            return Err(UpdateError::VersionMismatch(stored.version));
        }
        change(&mut stored.pet);
        stored.version += 1;
        Ok((stored.pet.clone(), stored.version))
    }

    /// Removes a pet; `false` when there was none.
    pub(crate) fn remove(&self, id: i64) -> bool {
        self.lock().pets.remove(&id).is_some()
    }

    /// Records a photo's size; `false` when the pet does not exist.
    pub(crate) fn set_photo(&self, id: i64, bytes: usize) -> bool {
        match self.lock().pets.get_mut(&id) {
            Some(stored) => {
                stored.photo_bytes = Some(bytes);
                true
            }
            None => false,
        }
    }

    /// Places an order; `None` when the pet does not exist.
    pub(crate) fn place_order(
        &self,
        pet_id: i64,
        quantity: i64,
        metadata: BTreeMap<String, String>,
    ) -> Option<Order> {
        let mut state = self.lock();
        if !state.pets.contains_key(&pet_id) {
            return None;
        }
        let order = Order {
            id: i64::try_from(state.orders.len()).unwrap_or(i64::MAX - 1) + 1,
            pet_id,
            quantity,
            metadata,
        };
        state.orders.push(order.clone());
        Some(order)
    }

    /// Pet counts by status (every status present, zero included).
    pub(crate) fn inventory(&self) -> BTreeMap<&'static str, usize> {
        let state = self.lock();
        PetStatus::ALL
            .into_iter()
            .map(|status| {
                let count = state
                    .pets
                    .values()
                    .filter(|s| s.pet.status == Some(status))
                    .count();
                (status.as_str(), count)
            })
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Why [`Store::update`] did nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UpdateError {
    /// No such pet.
    Missing,
    /// `If-Match` named another version; holds the current one.
    VersionMismatch(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_store() {
        let store = Store::seeded();
        let names: Vec<_> = store.pets().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Rex", "Whiskers", "Bubbles"]);
        assert_eq!(
            store.inventory().into_iter().collect::<Vec<_>>(),
            [("available", 1), ("pending", 1), ("sold", 1)]
        );
    }

    #[test]
    fn versions_guard_updates() {
        let store = Store::seeded();
        assert_eq!(
            store.update(1, Some(7), |p| p.name = "x".into()),
            Err(UpdateError::VersionMismatch(1))
        );
        let (pet, version) = store
            .update(1, Some(1), |p| p.name = "Rex II".into())
            .expect("update");
        assert_eq!((pet.name.as_str(), version), ("Rex II", 2));
        assert_eq!(store.update(99, None, |_| {}), Err(UpdateError::Missing));
        assert!(store.remove(1));
        assert!(!store.remove(1));
        assert!(store.place_order(1, 1, BTreeMap::new()).is_none());
    }
}
