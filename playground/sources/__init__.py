"""Frame sources (demo, image, video, webcam). Qt-free; each yields RGB float frames."""
