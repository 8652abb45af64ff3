from solver.entry import run

run()
