"""Tests of ACS Bridge."""
