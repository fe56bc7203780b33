//! Python-style `repr()` for the records.
//!
//! uniffi turns a record into a Python `@dataclass` without field annotations, so its
//! default `repr()` is an empty `GvlkRow()` and its `str()` prints strings unquoted and
//! every field, the pkey2009 security value included. Each record therefore exports
//! `Debug`/`Display` (uniffi `__repr__`/`__str__`) written here in Python syntax
//! (`None`, `True`, quoted strings), with `security` shown as `<hidden>`: with the other
//! fields it rebuilds the key, which is why the core's `Pkey2009` Debug hides it too.

use std::fmt::{self, Write};

/// A value written the way Python's `repr()` would write it.
pub(crate) trait PyRepr {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl PyRepr for bool {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if *self { "True" } else { "False" })
    }
}

macro_rules! py_repr_int {
    ($($t:ty),*) => {$(
        impl PyRepr for $t {
            fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{self}")
            }
        }
    )*};
}
py_repr_int!(u8, u16, u32, u64, i64);

impl PyRepr for String {
    /// Single-quoted, with the escapes Python uses for backslash, quote and control
    /// characters (masked texts keep up to five characters of arbitrary user input).
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        for c in self.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '\'' => f.write_str("\\'")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() && u32::from(c) < 0x100 => {
                    write!(f, "\\x{:02x}", u32::from(c))?
                }
                c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('\'')
    }
}

impl<T: PyRepr> PyRepr for Option<T> {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(v) => v.py_repr(f),
            None => f.write_str("None"),
        }
    }
}

impl<T: PyRepr> PyRepr for Vec<T> {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            v.py_repr(f)?;
        }
        f.write_char(']')
    }
}

/// `<hidden>` for a present value, `None` for an absent one.
pub(crate) struct Hidden(pub(crate) bool);

impl PyRepr for Hidden {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "<hidden>" } else { "None" })
    }
}

/// Whether a field holds a value, for [`Hidden`].
pub(crate) trait Present {
    fn present(&self) -> bool;
}

impl<T> Present for Option<T> {
    fn present(&self) -> bool {
        self.is_some()
    }
}

impl Present for u64 {
    fn present(&self) -> bool {
        true
    }
}

/// `Debug` and `Display` (both the Python repr) for a record: `Name(field=value, ...)`.
/// A field written `name: hidden` prints `<hidden>` (or `None` when absent).
macro_rules! py_repr {
    (@field $f:ident, $self:ident, $name:ident : hidden) => {
        $crate::repr::PyRepr::py_repr(
            &$crate::repr::Hidden($crate::repr::Present::present(&$self.$name)),
            $f,
        )
    };
    (@field $f:ident, $self:ident, $name:ident) => {
        $crate::repr::PyRepr::py_repr(&$self.$name, $f)
    };
    ($ty:ident { $($name:ident $(: $hidden:ident)?),* $(,)? }) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(concat!(stringify!($ty), "("))?;
                let mut first = true;
                $(
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    f.write_str(concat!(stringify!($name), "="))?;
                    py_repr!(@field f, self, $name $(: $hidden)?)?;
                )*
                let _ = first;
                f.write_str(")")
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self, f)
            }
        }
        impl $crate::repr::PyRepr for $ty {
            fn py_repr(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self, f)
            }
        }
    };
}
