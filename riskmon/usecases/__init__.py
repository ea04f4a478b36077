"""What every shell calls: config + feeds -> assessment, plan and explanations."""
