"""FlaskForm classes, one module per area. Forms check shape; rules that need the database
live in services and come back as field errors."""

from .auth import ChangePasswordForm, LanguageForm, SignInForm, SignOutForm, SignUpForm

__all__ = ["ChangePasswordForm", "LanguageForm", "SignInForm", "SignOutForm", "SignUpForm"]
