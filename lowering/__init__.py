"""Steps between dialects: `<src>_to_<dst>`, each its patterns plus a thin pass."""
