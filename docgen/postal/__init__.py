"""Japan Post customer barcode (カスタマバーコード) for window-envelope mail."""
from docgen.postal.address_number import (
    AddressNotReadable,
    address_number,
    read_address_number,
)
from docgen.postal.customer_barcode import (
    BAR_COUNT,
    QUIET_ZONE_MM,
    bars,
    draw,
    encode,
    normalise_postal_code,
    symbol_size_mm,
)

__all__ = [
    "BAR_COUNT",
    "QUIET_ZONE_MM",
    "AddressNotReadable",
    "address_number",
    "bars",
    "draw",
    "encode",
    "normalise_postal_code",
    "read_address_number",
    "symbol_size_mm",
]
