"""Model readers, one subpackage per framework, each building its framework's dialect."""
