"""One router per noun: auth, pages (dashboard), patches, review, lists, api."""
