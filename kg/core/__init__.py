"""What every stage shares: the errors a user can cause, IRIs, the data dictionary, the
files shipped with the package, and the guards that keep a build offline.

This stage imports no other stage of :mod:`kg`.
"""
