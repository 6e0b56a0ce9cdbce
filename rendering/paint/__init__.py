"""Paint stage: display-list slides to pixels (Pillow: PNG/JPEG) and to a vector PDF (reportlab)."""
