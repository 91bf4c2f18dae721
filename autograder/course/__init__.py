"""What an instructor does with a course: build, collect, results, report,
export, feedback, precheck and the Gradescope bundle."""
