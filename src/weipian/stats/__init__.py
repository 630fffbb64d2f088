"""Pure aggregations: deadlines, 月清 completion, rankings."""
