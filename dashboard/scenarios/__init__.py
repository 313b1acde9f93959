"""What-if planner: scenarios (model), their projection, the FTE-transfer proposal, saved scenarios and the PDF."""
