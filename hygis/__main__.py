from hygis.cli import run

run()
