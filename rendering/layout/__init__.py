"""Layout stage: a storyboard measured and placed as display-list slides (rows of measured text,
images and cards; templates; the deck's type scale)."""
