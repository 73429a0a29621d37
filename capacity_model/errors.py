"""The one kind of error the command line shows as it is: a problem the user can put right."""


class UserError(Exception):
    """A message written for the person running the model (a file, a field, what is allowed): exit 2."""
