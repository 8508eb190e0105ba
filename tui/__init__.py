"""ibid: a terminal catalogue of scholarly works."""
