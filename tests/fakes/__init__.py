"""Local fakes of the services outside the machine, speaking their real wire formats."""
