"""Read-only queries behind the pages: lists, counts and the detail of a patch, within a scope.

Writes never happen here; every change goes through ``weipian.services``.
"""
