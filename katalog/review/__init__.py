"""Review: members judge chart views and propose use-cases; the chair adopts caveats and accepts proposals."""
