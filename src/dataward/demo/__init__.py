"""The end-to-end demo: a landing zone of sample data taken through scan, decide, protect,
decide again, and audit, with an HTML report of what happened."""
