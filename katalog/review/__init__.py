"""What members contribute beyond their ballots: use-cases proposed from the sandbox (and reviews of chart views)."""
