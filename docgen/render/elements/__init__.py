"""Element kinds; importing this package registers every one of them."""
from docgen.render.elements import barcode, cutline, image, lists, qr, shapes, text  # noqa: F401
