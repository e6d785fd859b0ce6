"""The policy pack, driven over the analyzer gRPC protocol as the Pulumi CLI drives it."""
