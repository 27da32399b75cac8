from bff.cli import main

main()
