"""StreamPro training: streaming SFT with CB-Stream loss, then GRPO with multi-grained rewards."""
