import NTKDynamicsCLI

NTKDynamicsCommand.main()
