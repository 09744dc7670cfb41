"""cxinsight: searchable, citable insight from customer-experience leader interviews."""

__version__ = "0.1.0"
