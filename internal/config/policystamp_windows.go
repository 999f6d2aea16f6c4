package config

// PolicyFiles is empty on Windows: the policy is in the registry, which the
// file poll of the live reload does not see (a changed registry policy
// applies at the next start).
func PolicyFiles() []string { return nil }
