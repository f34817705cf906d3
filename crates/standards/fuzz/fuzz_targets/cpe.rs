//! CPE names: parsing never panics; both bindings reparse to the same name; a name matches itself.
#![no_main]

use clearinghouse_standards::cpe::Cpe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cpe) = Cpe::parse(text) {
        let formatted = Cpe::parse(&cpe.to_formatted_string()).expect("formatted string reparses");
        assert_eq!(formatted, cpe, "{text}");
        let uri = Cpe::parse(&cpe.to_uri()).expect("URI reparses");
        let _ = uri.relation(&cpe);
        let _ = cpe.relation(&cpe);
    }
});
