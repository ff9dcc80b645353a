//! The shared half of the generated string enums.
//!
//! Every generated enum carries its own values in `as_str` and `From<&str>`; the traits built on
//! those two — `Display`, `Serialize`, `Deserialize` — are the same for all of them, so they live
//! here once instead of in every enum of the generated code.

use serde::de::{Deserializer, Error, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Implements `Display`, `Serialize` and `Deserialize` for a generated string enum in terms of its
/// `as_str` and `From<&str>`. Any JSON string deserializes (unlisted values land in the enum's
/// fallback variant); anything else is an error naming what was found. Exported for generated
/// code in other crates, under the name `runtime::string_enum_traits`.
#[doc(hidden)]
#[macro_export]
macro_rules! __string_enum_traits {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::deserialize_string_enum(deserializer)
            }
        }
    };
}
/// Deserializes a JSON string into `T` through `From<&str>`, without allocating for the value.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    struct StrVisitor<T>(PhantomData<T>);
    impl<T: for<'a> From<&'a str>> Visitor<'_> for StrVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }
    }
    deserializer.deserialize_str(StrVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    /// Shaped like a generated enum.
    #[derive(Debug, PartialEq)]
    enum Order {
        Asc,
        Unknown(String),
    }
    impl Order {
        fn as_str(&self) -> &str {
            match self {
                Self::Asc => "asc",
                Self::Unknown(value) => value,
            }
        }
    }
    impl From<&str> for Order {
        fn from(value: &str) -> Self {
            match value {
                "asc" => Self::Asc,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    crate::runtime::string_enum_traits!(Order);

    #[test]
    fn known_and_unknown_values_round_trip() -> serde_json::Result<()> {
        assert_eq!(serde_json::from_str::<Order>("\"asc\"")?, Order::Asc);
        let later = serde_json::from_str::<Order>("\"desc\"")?;
        assert_eq!(later, Order::Unknown("desc".into()));
        assert_eq!(serde_json::to_string(&later)?, "\"desc\"");
        assert_eq!(Order::Asc.to_string(), "asc");
        // From a `Value` (owned strings) as well as from text (borrowed ones).
        let value = serde_json::json!("asc");
        assert_eq!(serde_json::from_value::<Order>(value)?, Order::Asc);
        Ok(())
    }

    #[test]
    fn a_value_that_is_not_a_string_is_an_error_saying_so() {
        let err = serde_json::from_str::<Order>("5")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("integer `5`") && e.contains("a string")),
            "{err:?}"
        );
    }
}
